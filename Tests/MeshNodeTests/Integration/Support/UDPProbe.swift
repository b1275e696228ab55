import Foundation

/// A UDP socket on loopback that sends arbitrary bytes to a node's gossip port and can receive
/// what a node sends to it.
final class UDPProbe {
    private let descriptor: Int32
    let port: Int

    init() throws {
        port = try FreePorts.next()
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw IntegrationError("socket: \(String(cString: strerror(errno)))") }
        var address = LoopbackAddress.make(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw IntegrationError("bind UDP \(port): \(String(cString: strerror(errno)))") }
    }

    var address: String { "127.0.0.1:\(port)" }

    func send(_ bytes: [UInt8], to port: Int) throws {
        var address = LoopbackAddress.make(port: port)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard sent == bytes.count else { throw IntegrationError("sendto: \(String(cString: strerror(errno)))") }
    }

    /// The next datagram that arrives within `seconds`, or nil.
    func receive(within seconds: Double) -> [UInt8]? {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(seconds.truncatingRemainder(dividingBy: 1) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer.prefix(count)) : nil
    }

    deinit {
        close(descriptor)
    }
}
