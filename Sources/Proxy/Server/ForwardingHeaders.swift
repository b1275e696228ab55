import ManagerCore
import NIOCore
import NIOHTTP1

/// The rules of what crosses the gateway: which fields are hop-by-hop (and those the
/// `Connection` field names), which the gateway rewrites, and the client's copy of an
/// upstream response head when policies edit it (``ClientResponseHead`` writes it
/// otherwise; ``UpstreamRequestHead`` writes every upstream head).
enum ForwardingHeaders {
    /// Hop-by-hop fields (RFC 9110 §7.6.1), and those the message's `Connection` fields name.
    static func isHopByHop(_ name: String, _ options: ConnectionOptions) -> Bool { isHopByHop(name.utf8, options) }

    static func isHopByHop<Name: Collection<UInt8>>(_ name: Name, _ options: ConnectionOptions) -> Bool {
        let fixed: Bool
        switch name.count {
        case 2: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "te")
        case 7: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "trailer") || HTTPSyntax.equalsIgnoringASCIICase(name, "upgrade")
        case 10: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "connection") || HTTPSyntax.equalsIgnoringASCIICase(name, "keep-alive")
        case 16: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "proxy-connection")
        case 17: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "transfer-encoding")
        case 18: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "proxy-authenticate")
        case 19: fixed = HTTPSyntax.equalsIgnoringASCIICase(name, "proxy-authorization")
        default: fixed = false
        }
        return fixed || options.names(name)
    }

    /// Fields the gateway rewrites; matched without allocating a lower-cased copy.
    enum Rewritten {
        case contentLength, expect, forwardedProto, forwardedHost, forwardedFor, requestID, via, host, other
    }

    static func classify(_ name: String) -> Rewritten { classify(name.utf8) }

    static func classify<Name: Collection<UInt8>>(_ name: Name) -> Rewritten {
        let candidate: (StaticString, Rewritten)
        switch name.count {
        case 3: candidate = ("via", .via)
        case 4: candidate = ("host", .host)
        case 6: candidate = ("expect", .expect)
        case 12: candidate = ("x-request-id", .requestID)
        case 14: candidate = ("content-length", .contentLength)
        case 15: candidate = ("x-forwarded-for", .forwardedFor)
        case 16: candidate = ("x-forwarded-host", .forwardedHost)
        case 17: candidate = ("x-forwarded-proto", .forwardedProto)
        default: return .other
        }
        return HTTPSyntax.equalsIgnoringASCIICase(name, candidate.0) ? candidate.1 : .other
    }

    struct Forwarding {
        var clientIP: String?
        var proto: String
        var requestID: String
        var via: String
    }

    /// The authority of an absolute-form request target (`http://host:port/path`).
    static func absoluteAuthority(_ uri: String) -> Substring? {
        let bytes = uri.utf8
        guard let first = bytes.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "*"),
            let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            bytes[colon...].starts(with: "://".utf8)
        else { return nil }
        let rest = bytes[bytes.index(colon, offsetBy: 3)...]
        let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        return Substring(rest[..<end])
    }

    /// The client's copy of an upstream response head, without hop-by-hop fields.
    static func clientHead(
        from upstream: HTTPResponseHead, options: ConnectionOptions, version: HTTPVersion, requestID: String, via: String
    ) -> HTTPResponseHead {
        var headers: [(String, String)] = []
        headers.reserveCapacity(upstream.headers.count + 3)
        var upstreamVia: String?
        for (name, value) in upstream.headers {
            switch classify(name) {
            case .requestID: continue
            case .via:
                upstreamVia = upstreamVia.map { $0 + ", " + value } ?? value
                continue
            default:
                if isHopByHop(name, options) { continue }
            }
            headers.append((name, value))
        }
        headers.append(("via", upstreamVia.map { $0 + ", " + via } ?? via))
        headers.append(("x-request-id", requestID))
        return HTTPResponseHead(version: version, status: upstream.status, headers: HTTPHeaders(headers))
    }

    static func apply(_ edits: [HeaderEdit], to headers: inout HTTPHeaders) {
        for edit in edits {
            switch edit {
            case .add(let name, let value): headers.add(name: name, value: value)
            case .set(let name, let value): headers.replaceOrAdd(name: name, value: value)
            case .remove(let name): headers.remove(name: name)
            case .rename(let from, let to):
                let values = headers[from]
                headers.remove(name: from)
                for value in values { headers.add(name: to, value: value) }
            }
        }
    }
}

extension String {
    func equalsIgnoringASCIICase(_ lower: StaticString) -> Bool { HTTPSyntax.equalsIgnoringASCIICase(utf8, lower) }
}
