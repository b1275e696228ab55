/// An `http`/`https` URL or an absolute path, split into scheme, authority and origin-form target
/// (RFC 3986 §3), with the case-insensitive parts in lower case (§6.2.2.1): what a bust, a
/// `Location` field or `meshctl cache key` names.
public struct URLReference: Sendable, Equatable {
    /// `http` or `https` in lower case; nil for a path.
    public var scheme: String?
    /// Host and optional port as written; nil for a path.
    public var authority: String?
    /// The host in lower case, without its port; an IPv6 address without its brackets. Empty for a path.
    public var host: String
    /// The path (at least `/`) and its `?query`; a fragment is dropped.
    public var target: String

    /// Nil for anything else: another scheme, a network-path (`//host`) or relative reference,
    /// an authority with user information, whitespace or no host.
    public init?(_ text: String) {
        let reference = text.prefix { $0 != "#" }
        if reference.hasPrefix("/") {
            guard !reference.hasPrefix("//") else { return nil }
            self.init(scheme: nil, authority: nil, host: "", target: String(reference))
            return
        }
        guard let colon = reference.firstIndex(of: ":"), reference[colon...].hasPrefix("://") else { return nil }
        let scheme = reference[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = reference[colon...].dropFirst(3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.contains(where: { $0 == "@" || $0.isWhitespace }), let host = Self.host(of: authority) else {
            return nil
        }
        let target = rest[authority.endIndex...]
        self.init(scheme: scheme, authority: String(authority), host: host.lowercased(),
                  target: target.hasPrefix("/") ? String(target) : "/" + target)
    }

    public init(scheme: String?, authority: String?, host: String, target: String) {
        self.scheme = scheme
        self.authority = authority
        self.host = host
        self.target = target
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port` less the port and brackets; nil when no host is left.
    private static func host(of authority: Substring) -> Substring? {
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let afterClose = authority[authority.index(after: close)...]
            guard afterClose.isEmpty || afterClose.hasPrefix(":") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return host.isEmpty ? nil : host
    }
}
