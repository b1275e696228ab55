/// Where a node's gossip endpoint lives: a host (an IP literal or a DNS name) and a port.
/// Written `10.0.0.1:7946`, or `[::1]:7946` for IPv6.
public struct NodeAddress: Hashable, Sendable, LosslessStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init?(_ description: String) {
        if description.hasPrefix("[") {
            guard let close = description.firstIndex(of: "]") else { return nil }
            let host = description[description.index(after: description.startIndex)..<close]
            let rest = description[description.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), !host.isEmpty else { return nil }
            self.init(host: String(host), port: port)
        } else {
            guard let colon = description.lastIndex(of: ":") else { return nil }
            let host = description[..<colon]
            guard !host.isEmpty, !host.contains(":"),
                  let port = UInt16(description[description.index(after: colon)...]) else { return nil }
            self.init(host: String(host), port: port)
        }
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
