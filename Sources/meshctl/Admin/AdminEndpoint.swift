/// Where a node's admin API listens, parsed from `http://HOST:PORT`, `HOST:PORT` or `http://[::1]:PORT`.
struct AdminEndpoint: Sendable, CustomStringConvertible {
    let host: String
    let port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init(_ url: String) throws {
        var rest = Substring(url)
        if rest.hasPrefix("https://") {
            throw CLIError("the admin API speaks plain HTTP on loopback or a private address; use http:// in \(url)")
        }
        if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        let hostPart: Substring
        let portPart: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw CLIError("bad node address \(url)") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            portPart = after.hasPrefix(":") ? after.dropFirst() : (after.isEmpty ? nil : after)
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        } else {
            hostPart = rest
            portPart = nil
        }
        guard !hostPart.isEmpty, !hostPart.contains("/") else { throw CLIError("bad node address \(url)") }
        let port = portPart.map { Int($0) } ?? 7947
        guard let port, (1...65535).contains(port) else { throw CLIError("bad port in node address \(url)") }
        self.host = String(hostPart)
        self.port = port
    }

    var description: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}
