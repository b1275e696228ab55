/// The identity of a cached response: the text the ring hashes and the store indexes, and the
/// parts that busts select on.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// Unambiguous: `METHOD host/path?query`, then one line per selected header.
    public let text: String
    /// The host, lower case, as it appears in `text`.
    public let host: String
    /// The normalized path, as it appears in `text` (what `--prefix` busts match).
    public let path: String

    public init(text: String, host: String, path: String) {
        self.text = text
        self.host = host
        self.path = path
    }

    /// The text without the selected headers' lines: `METHOD host/path?query` as the template
    /// writes it, which every header variant of one URL shares.
    public var resource: Substring { Self.resource(of: text) }

    /// The resource of a key's text.
    public static func resource(of text: String) -> Substring { text.prefix { $0 != "\n" } }

    public var description: String { text }
}

/// A route's cache key template: which parts of a request tell responses apart.
/// Query parameters are sorted by name, then value, so their order in the URL never matters.
public struct CacheKeyTemplate: Sendable, Equatable {
    public enum QueryParameters: Sendable, Equatable {
        case all
        case none
        /// Only these names; a name ending in `*` matches every name with that prefix.
        case only([String])
        /// Every name but these (tracking parameters such as `utm_*`).
        case except([String])
    }

    /// Part of the key; HEAD is keyed as GET, so a stored GET answers a HEAD.
    public var method: Bool
    public var host: Bool
    public var query: QueryParameters
    /// Request header names (any case) whose normalized values are part of the key.
    public var headers: [String]

    public init(method: Bool = true, host: Bool = true, query: QueryParameters = .all, headers: [String] = []) {
        self.method = method
        self.host = host
        self.query = query
        self.headers = headers
    }

    /// Method, host, path and every query parameter.
    public static let standard = CacheKeyTemplate()

    public func key(for request: CacheRequest) -> CacheKey {
        let host = self.host ? normalizedHost(request.host) : ""
        let path = PercentEncoding.normalized(request.path)
        var text = ""
        if method { text += (request.method == "HEAD" ? "GET" : request.method) + " " }
        text += host + path
        if let query = request.query.map(canonicalQuery), !query.isEmpty { text += "?" + query }
        for name in Set(headers.map { $0.lowercased() }).sorted() {
            text += "\n" + name
            if let value = request.headers.normalizedValue(name) { text += ": " + value }
        }
        return CacheKey(text: text, host: host, path: path)
    }

    private func normalizedHost(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }

    private func canonicalQuery(_ query: Substring) -> String {
        let pairs = query.split(separator: "&").map { pair -> (name: String, value: String) in
            let name = pair.prefix { $0 != "=" }
            let value = pair.dropFirst(name.count + 1)
            return (PercentEncoding.normalized(name), PercentEncoding.normalized(value))
        }
        return pairs.filter { keeps($0.name) }
            .sorted { $0.name != $1.name ? $0.name < $1.name : $0.value < $1.value }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    private func keeps(_ name: String) -> Bool {
        switch query {
        case .all: true
        case .none: false
        case .only(let names): names.contains { Self.matches($0, name) }
        case .except(let names): !names.contains { Self.matches($0, name) }
        }
    }

    private static func matches(_ pattern: String, _ name: String) -> Bool {
        pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : pattern == name
    }
}
