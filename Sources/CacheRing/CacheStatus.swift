import RawStructuredFieldValues

/// What the cache did with a response, as the client is told: the `Cache-Status` field (RFC 9211)
/// and the gateway's `X-Cache` (HIT, MISS, BYPASS or STALE).
public struct CacheStatus: Sendable, Equatable {
    /// Why the request went on to the origin (RFC 9211 §2.2).
    public enum Forward: String, Sendable {
        /// The route's rule or the request's directives ruled the cache out.
        case bypass
        /// The method is not cached.
        case method
        /// Nothing stored for the key.
        case uriMiss = "uri-miss"
        /// Stored, but no variant matches the request's `Vary` fields.
        case varyMiss = "vary-miss"
        /// The request asked to validate (`no-cache`, `max-age`) a response the cache could serve.
        case request
        /// The stored response was stale and was validated.
        case stale
    }

    /// Nil when the response was served from the cache.
    public var forward: Forward?
    /// The status the origin answered a forwarded request with.
    public var forwardStatus: Int?
    /// Freshness left, in seconds; below zero for a stale response that was served.
    public var ttl: Int?
    /// The forwarded response was stored.
    public var stored: Bool
    /// The request waited for another's fill instead of going to the origin itself.
    public var collapsed: Bool
    /// The cache key, written only when debugging asks for it.
    public var key: String?

    public init(forward: Forward? = nil, forwardStatus: Int? = nil, ttl: Int? = nil, stored: Bool = false,
                collapsed: Bool = false, key: String? = nil) {
        self.forward = forward
        self.forwardStatus = forwardStatus
        self.ttl = ttl
        self.stored = stored
        self.collapsed = collapsed
        self.key = key
    }

    /// The cache's name in `Cache-Status`.
    public static let cacheName = "meshgate"

    /// The `Cache-Status` field value: the cache's name and its parameters, a structured field
    /// list member (RFC 9651), written by the structured-field serializer.
    public var fieldValue: String {
        var parameters = OrderedMap<String, RFC9651BareItem>()
        if let forward { parameters["fwd"] = .token(forward.rawValue) } else { parameters["hit"] = true }
        if let forwardStatus { parameters["fwd-status"] = .integer(Int64(forwardStatus)) }
        if let ttl { parameters["ttl"] = .integer(Int64(ttl)) }
        if stored { parameters["stored"] = true }
        if collapsed { parameters["collapsed"] = true }
        if let key { parameters["key"] = .string(Self.printable(key)) }
        var serializer = StructuredFieldValueSerializer()
        let member = ItemOrInnerList.item(Item(bareItem: .token(Self.cacheName), parameters: parameters))
        // Every value above is one the serializer takes: tokens, integers in range, printable strings.
        return String(decoding: (try? serializer.writeListFieldValue([member])) ?? [], as: UTF8.self)
    }

    /// HIT for a fresh hit, STALE for a stale one (no freshness left), BYPASS when the cache was
    /// ruled out, MISS otherwise.
    public var xCache: String {
        switch forward {
        case nil: (ttl ?? 1) <= 0 ? "STALE" : "HIT"
        case .bypass, .method: "BYPASS"
        default: "MISS"
        }
    }

    /// The text with the bytes an sf-string cannot hold (outside printable ASCII, such as the
    /// key's line breaks) written as `%XX`.
    static func printable(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (0x20...0x7E).contains(byte) {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
