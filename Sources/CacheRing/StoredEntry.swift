/// One stored response: a variant of a primary key, with what busts select on.
public struct StoredEntry: Sendable {
    /// The primary key (without `Vary` values).
    public let key: CacheKey
    /// The field names its response varies by (lower case, sorted).
    public let varyNames: [String]
    /// The variant's key: `key.text` plus the request's values of `varyNames`.
    public let variant: String
    public let route: String
    public let tags: [String]
    public var response: CacheResponse
    public let body: [UInt8]
    public var freshness: Freshness

    public init(key: CacheKey, varyNames: [String], request: FieldList, route: String, tags: [String],
                response: CacheResponse, body: [UInt8], freshness: Freshness) {
        self.key = key
        self.varyNames = varyNames
        self.variant = VaryKey.variant(of: key.text, names: varyNames, request: request)
        self.route = route
        self.tags = tags
        self.response = response
        self.body = body
        self.freshness = freshness
    }

    /// An entry as another node stored it, its variant already computed.
    init(key: CacheKey, varyNames: [String], variant: String, route: String, tags: [String],
         response: CacheResponse, body: [UInt8], freshness: Freshness) {
        self.key = key
        self.varyNames = varyNames
        self.variant = variant
        self.route = route
        self.tags = tags
        self.response = response
        self.body = body
        self.freshness = freshness
    }

    /// Bytes counted against the store's bound: body, fields, keys and tags, plus a fixed
    /// allowance for the entry's bookkeeping, allocations and index, measured so that a store
    /// of 1M small entries takes about the memory it accounts (docs/cache.md).
    public var size: Int {
        let fields = response.headers.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 32 }
        let names = tags.reduce(0) { $0 + $1.utf8.count + 16 } + varyNames.reduce(0) { $0 + $1.utf8.count + 16 }
        return body.count + fields + names + key.text.utf8.count + variant.utf8.count + route.utf8.count + 400
    }
}
