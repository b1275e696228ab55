import Foundation

/// `HOST:PORT` or `[IPv6]:PORT`, as typed in flags.
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public var description: String { "'\(text)' is not HOST:PORT (an IPv6 host goes in brackets: [::1]:7946)" }
    }

    public init(parsing text: String) throws(ParseError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let hostPart: Substring
        let portPart: Substring
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]"), t[t.index(after: close)...].hasPrefix(":") else {
                throw ParseError(text: text)
            }
            hostPart = t[t.index(after: t.startIndex)..<close]
            portPart = t[t.index(close, offsetBy: 2)...]
        } else {
            guard let colon = t.lastIndex(of: ":"), !t[..<colon].contains(":") else { throw ParseError(text: text) }
            hostPart = t[..<colon]
            portPart = t[t.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else {
            throw ParseError(text: text)
        }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" }
}
