import CacheRing
import Foundation
import NIOCore
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
    /// The age of a response forwarded as it is stored (its `Age` on the way to the client).
    var forwardedAge: Int?
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
        self.status = CacheStatus(forward: key == nil ? .method : .uriMiss, key: rules.showsKey ? key?.text : nil)
        self.requestTime = now
    }

    /// Ends the fill this request leads, with what it stored (nil: nothing).
    func finishFill(_ entry: StoredEntry?, now: WallTime) {
        guard let fill else { return }
        self.fill = nil
        fill.end(entry, now: now)
    }

    /// What an origin's response head means for the cache.
    enum Received {
        /// The response goes to the client (and is collected when it is to be stored).
        case forward
        /// A 304 to the gateway's validation: the stored entry, refreshed, is what the client gets.
        case validated(StoredEntry, CacheStatus)
        /// An error a stale entry covers (`stale-if-error`): the entry is what the client gets.
        case staleOnError(StoredEntry, CacheStatus)
    }

    /// Reads an origin's response head: refreshes a validated entry, ends the fill of a
    /// response that will not be stored, starts collecting one that will, and busts what a
    /// successful unsafe method changed.
    func received(status code: Int, fields: FieldList, now: WallTime) -> Received {
        guard let key else {
            for bust in UnsafeMethodInvalidation.invalidations(request: request, status: code, response: fields, template: rules.key) {
                cache.bust(bust, now: now)
            }
            return .forward
        }
        status.forwardStatus = code
        if let stored {
            if code == 304 && validating {
                let refreshed = Revalidation.refreshed(stored.response, by: fields, tagFields: rules.tagFields)
                var entry = stored
                entry.response = refreshed
                if case .store(let freshness) = Storability.evaluate(
                    request: request, response: refreshed, requestTime: requestTime, responseTime: now, rules: rules)
                {
                    entry.freshness = freshness
                    if fill != nil {
                        finishFill(entry, now: now)
                    } else {
                        cache.refresh(key, request: request.headers, response: refreshed, freshness: freshness)
                    }
                } else {
                    finishFill(nil, now: now)
                }
                var served = status
                served.ttl = entry.freshness.lifetime &- entry.freshness.age(at: now)
                return .validated(entry, served)
            }
            if code >= 500 && Reuse.servesOnError(stored.freshness, request: request.headers, now: now) {
                finishFill(nil, now: now)
                return .staleOnError(stored, served(ttl: stored.freshness.lifetime &- stored.freshness.age(at: now)))
            }
        }
        switch Storability.evaluate(request: request, response: CacheResponse(status: code, headers: fields),
                                    requestTime: requestTime, responseTime: now, rules: rules) {
        case .store(let freshness) where fill != nil:
            status.stored = true
            status.ttl = freshness.lifetime &- freshness.age(at: now)
            forwardedAge = freshness.age(at: now)
            let length = fields.first("content-length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
            var body: [UInt8] = []
            body.reserveCapacity(min(length, rules.maxObjectSize))
            phase = .collecting(StoredHeaders(response: fields, tagFields: rules.tagFields), freshness, body: body)
        case .store:
            break
        case .bypass:
            finishFill(nil, now: now)
        }
        return .forward
    }

    /// Body bytes of a response being stored; past the rule's largest object, it is not.
    func collect(_ body: ByteBuffer) {
        guard case .collecting(let headers, let freshness, var bytes) = phase else { return }
        phase = .forwarding
        guard bytes.count + body.readableBytes <= rules.maxObjectSize else {
            finishFill(nil, now: .current)
            return
        }
        body.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
        phase = .collecting(headers, freshness, body: bytes)
    }

    /// The origin's response has ended: what was collected is stored.
    func ended(status code: Int, route: String) {
        guard case .collecting(let headers, let freshness, let body) = phase, let key else {
            finishFill(nil, now: .current)
            return
        }
        phase = .forwarding
        let entry = StoredEntry(
            key: key, varyNames: VaryKey.names(headers.fields) ?? [], request: request.headers, route: route,
            tags: headers.tags, response: CacheResponse(status: code, headers: headers.fields), body: body,
            freshness: freshness)
        finishFill(entry, now: .current)
    }

    /// What the client is told about a response served from the cache.
    func served(ttl: Int) -> CacheStatus {
        CacheStatus(ttl: ttl, collapsed: status.collapsed, key: status.key)
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
