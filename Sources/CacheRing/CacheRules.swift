/// A route's cache rule, as the cache applies it.
public struct CacheRules: Sendable, Equatable {
    /// Freshness for storable responses that carry none of their own; nil (`cache: {}`) stores
    /// only what the origin marks fresh.
    public var defaultTTL: Int?
    /// The route's `defaultTTL` replaces the origin's freshness lifetime.
    public var override: Bool
    /// Upper case, the methods answered from the cache; GET and HEAD by default. A HEAD is
    /// answered from a stored GET, and its own response is not stored.
    public var methods: Set<String>
    /// The statuses stored; nil for RFC 9111's: any final status with explicit freshness, and the
    /// heuristically cacheable ones (RFC 9110 §15.1) under the default TTL.
    public var statuses: Set<Int>?
    /// Bodies larger than this many bytes are not stored.
    public var maxObjectSize: Int
    public var key: CacheKeyTemplate
    /// The response fields naming the entry's tags (lower case; stripped before the client sees
    /// them): `Cache-Tag` and `Surrogate-Key` unless the rule names one.
    public var tagFields: Set<String>
    /// `Cache-Status` carries the key (RFC 9211 `key`), for debugging.
    public var showsKey: Bool

    public init(defaultTTL: Int? = nil, override: Bool = false, methods: Set<String> = ["GET", "HEAD"],
                statuses: Set<Int>? = nil, maxObjectSize: Int = 8 << 20, key: CacheKeyTemplate = .standard,
                tagFields: Set<String> = CacheRules.defaultTagFields, showsKey: Bool = false) {
        self.defaultTTL = defaultTTL
        self.override = override
        self.methods = methods
        self.statuses = statuses
        self.maxObjectSize = maxObjectSize
        self.key = key
        self.tagFields = Set(tagFields.map { $0.lowercased() })
        self.showsKey = showsKey
    }

    public static let defaultTagFields: Set<String> = ["cache-tag", "surrogate-key"]

    /// RFC 9110 §15.1: statuses a cache may give heuristic freshness.
    public static let heuristicallyCacheable: Set<Int> = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]
}
