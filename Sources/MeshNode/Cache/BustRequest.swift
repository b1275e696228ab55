import CacheRing

/// The body of `POST /v1/cache/bust`: exactly one of `key`, `url`, `prefix`, `tag`, `route` or
/// `all: true`, and optionally `wait` (default true) and `timeout_ms` (default 5000).
struct BustRequest: Equatable {
    var invalidation: Invalidation
    var wait: Bool
    var timeout: Duration

    static let defaultTimeout = Duration.seconds(5)
    static let maxTimeout = Duration.seconds(60)

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    init(invalidation: Invalidation, wait: Bool = true, timeout: Duration = Self.defaultTimeout) {
        self.invalidation = invalidation
        self.wait = wait
        self.timeout = timeout
    }

    /// - Parameter keyOfURL: the key a GET of a URL has on this node's routes, nil when no
    ///   route with a cache rule takes it.
    init(json object: [String: Any], keyOfURL: (String) -> CacheKey? = { _ in nil }) throws(Problem) {
        let kinds = ["key", "url", "prefix", "tag", "route", "all"].filter { object[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first else {
            throw Problem(description: "the body names exactly one of \"key\", \"url\", \"prefix\", \"tag\", \"route\" or \"all\": true")
        }
        if kind == "all" {
            guard object["all"] as? Bool == true else { throw Problem(description: "\"all\" must be true") }
            invalidation = .all
        } else {
            guard let value = object[kind] as? String, !value.isEmpty else {
                throw Problem(description: "\"\(kind)\" must be a non-empty string")
            }
            switch kind {
            case "key": invalidation = .key(value)
            case "url": invalidation = try Self.invalidation(url: value, keyOfURL: keyOfURL)
            case "prefix":
                guard value.hasPrefix("/") else { throw Problem(description: "a prefix is a path: it starts with /") }
                invalidation = .prefix(Self.normalizedPath(value))
            case "tag": invalidation = .tag(value)
            default: invalidation = .route(value)
            }
        }
        guard CacheBust.isSendable(invalidation) else {
            throw Problem(description: "the value is longer than \(CacheBust.maxValueBytes) bytes")
        }
        switch object["wait"] {
        case nil: wait = true
        case let flag as Bool: wait = flag
        default: throw Problem(description: "\"wait\" must be true or false")
        }
        switch object["timeout_ms"] {
        case nil: timeout = Self.defaultTimeout
        case let number as Int where number > 0 && number <= 60_000: timeout = .milliseconds(number)
        default: throw Problem(description: "\"timeout_ms\" must be a whole number from 1 to 60000")
        }
    }

    /// What busting a URL selects. With a host (`http://` or `https://`): the resource of the
    /// key the URL's route gives a GET of it (`keyOfURL`, the gateway's own rule), or, when no
    /// route with a cache rule takes it here, the resource the standard key template gives
    /// (method, host without its port, path normalized, query canonical); every header variant
    /// of it goes. A bare path (`/path`): that normalized path on every host, whatever its query.
    static func invalidation(url text: String, keyOfURL: (String) -> CacheKey?) throws(Problem) -> Invalidation {
        guard let url = URLReference(text) else {
            throw Problem(description: "'\(text)' is not a URL: give http(s)://host/path?query or /path")
        }
        guard url.scheme != nil else { return .path(normalizedPath(url.target)) }
        if let key = keyOfURL(text) { return .resource(String(key.resource)) }
        let key = CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: url.host, target: url.target))
        return .resource(String(key.resource))
    }

    /// A path as keys hold it (RFC 3986 §6.2.2: `%xx` upper case, unreserved characters
    /// decoded); a query is left out.
    static func normalizedPath(_ path: String) -> String {
        CacheKeyTemplate(method: false, host: false, query: .none).key(for: CacheRequest(method: "GET", host: "", target: path)).path
    }
}
