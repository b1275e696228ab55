import CacheRing
import NIOHTTP1

/// What the cache knows and does for one request on a route with a `cache:` rule.
final class ExchangeCache {
    let rules: CacheRules
    let cache: any ResponseCache
    let request: CacheRequest
    /// Nil for a method the rule does not cache (an unsafe one may still bust).
    let key: CacheKey?
    var status: CacheStatus
    /// The fill this request leads: its response, if storable, becomes the entry.
    var fill: CacheFill?
    /// A stored entry the request could not use as it was: validated with the origin (when
    /// `validating`), or served if the origin fails and the entry allows it.
    var stored: StoredEntry?
    /// The origin was asked with the stored entry's validators.
    var validating = false
    /// When the request went to the origin.
    var requestTime: WallTime
    var phase = Phase.forwarding

    enum Phase {
        /// The response goes to the client as the origin sends it.
        case forwarding
        /// ... and its body is kept, to be stored at its end.
        case collecting(StoredHeaders, Freshness, body: [UInt8])
        /// The origin's answer is not for the client (a 304 to the gateway's validation, or an
        /// error that a stale entry covers): once it has ended, `entry` is served.
        case servingStored(StoredEntry, CacheStatus)
    }

    init(rules: CacheRules, cache: any ResponseCache, request: CacheRequest, key: CacheKey?, now: WallTime) {
        self.rules = rules
        self.cache = cache
        self.request = request
        self.key = key
        self.status = CacheStatus(forward: key == nil ? .method : .uriMiss)
        self.requestTime = now
    }

    /// Ends the fill this request leads, with what it stored (nil: nothing).
    func finishFill(_ entry: StoredEntry?, now: WallTime) {
        guard let fill else { return }
        self.fill = nil
        fill.end(entry, now: now)
    }

    /// Whether `entry` is the variant this request would get (it may come from another
    /// request's fill, whose `Vary` fields may differ).
    func matches(_ entry: StoredEntry) -> Bool {
        VaryKey.variant(of: entry.key.text, names: entry.varyNames, request: request.headers) == entry.variant
    }
}

extension FieldBlock {
    /// The fields as the cache reads them.
    var fieldList: FieldList {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(spans.count)
        forEach { name, value in
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return FieldList(fields)
    }
}
