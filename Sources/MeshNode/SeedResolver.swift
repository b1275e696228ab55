import Dispatch
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns `--seeds` into numeric addresses. `dns:NAME:PORT` yields every A and AAAA record
/// (a Kubernetes headless Service lists every ready pod), so it is resolved again each time
/// the node re-joins. getaddrinfo blocks, so it runs on a dispatch queue, off the event loop.
public struct SeedResolver: Sendable {
    private static let queue = DispatchQueue(label: "meshgate.seed-resolver", attributes: .concurrent)

    public init() {}

    public func resolve(_ seeds: [SeedSpec], logger: Logger) async -> [HostPort] {
        var out: [HostPort] = []
        for seed in seeds {
            let (host, port): (String, Int)
            switch seed {
            case .address(let hp): (host, port) = (hp.host, hp.port)
            case .dns(let name, let p): (host, port) = (name, p)
            }
            do {
                for ip in try await Self.lookup(host) {
                    let hp = HostPort(host: ip, port: port)
                    if !out.contains(hp) { out.append(hp) }
                }
            } catch {
                logger.warning("seed did not resolve", metadata: ["seed": "\(seed)", "error": "\(error)"])
            }
        }
        return out
    }

    public struct LookupError: Error, CustomStringConvertible {
        public let host: String
        public let message: String
        public var description: String { "\(host): \(message)" }
    }

    /// Every IPv4 and IPv6 address of `host`, numeric, in the resolver's order.
    public static func lookup(_ host: String) async throws -> [String] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try lookupBlocking(host) })
            }
        }
    }

    private static func lookupBlocking(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else {
            throw LookupError(host: host, message: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var ips: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(ai.pointee.ai_addr, ai.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                           NI_NUMERICHOST) == 0 {
                let ip = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !ips.contains(ip) { ips.append(ip) }
            }
            cursor = ai.pointee.ai_next
        }
        return ips
    }
}
