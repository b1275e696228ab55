import CacheRing
import Foundation
import NIOCore
import NIOHTTP1

/// The response cache on the request path: look up before forwarding, serve what may be
/// served, validate what must be, and store the origin's response as its body streams by.
extension ProxyHandler {
    /// Looks the request up; forwards it (`forward`) unless the cache answers it.
    func consultCache(_ exchange: Exchange, rules: CacheRules, cache: any ResponseCache, forward: @escaping (Exchange) -> Void) {
        let head = exchange.context.map { RequestHead($0.head) } ?? exchange.request
        let method = head.method.rawValue
        let request = CacheRequest(
            method: method, host: String(Self.routingHost(head)), target: String(RequestValidator.originForm(head.target)),
            headers: head.fields.fieldList)
        let now = WallTime.current
        let cacheable = rules.methods.contains(method)
        let key = cacheable ? rules.key.key(for: request) : nil
        let state = ExchangeCache(rules: rules, cache: cache, request: request, key: key, now: now)
        exchange.cache = state
        guard let key else {
            exchange.route.metrics.cache.bypass.increment()
            forward(exchange)
            return
        }
        resolve(cache.lookup(key, request: request.headers, route: exchange.route.id, now: now, on: context.eventLoop),
                exchange, state, forward: forward)
    }

    private func resolve(_ lookup: CacheLookup, _ exchange: Exchange, _ state: ExchangeCache,
                         forward: @escaping (Exchange) -> Void) {
        let metrics = exchange.route.metrics.cache
        switch lookup {
        case .hit(let entry):
            useStored(entry, exchange, state, forward: forward)
        case .lead(let fill):
            state.fill = fill
            if state.stored == nil { metrics.misses.increment() }
            forward(exchange)
        case .bypass:
            if state.stored == nil { metrics.misses.increment() }
            forward(exchange)
        case .ask(let answer):
            answer.hop(to: context.eventLoop).assumeIsolated().whenComplete { [weak self] result in
                guard let self, self.exchange === exchange, exchange.phase == .policies else { return }
                switch result {
                case .success(let lookup):
                    self.resolve(lookup, exchange, state, forward: forward)
                case .failure:
                    // The owners could not be asked: the client never sees the cache's trouble.
                    if state.stored == nil { metrics.misses.increment() }
                    forward(exchange)
                }
            }
        case .wait(let outcome):
            metrics.coalesced.increment()
            outcome.hop(to: context.eventLoop).assumeIsolated().whenComplete { [weak self] result in
                guard let self, self.exchange === exchange, exchange.phase == .policies else { return }
                state.status.collapsed = true
                if case .success(let entry?) = result, state.matches(entry) {
                    self.useStored(entry, exchange, state, afterFill: true, forward: forward)
                } else {
                    // The fill stored nothing this request can use: it goes on its own.
                    if state.stored == nil { metrics.misses.increment() }
                    forward(exchange)
                }
            }
        }
    }

    /// Serves `entry` when it may be used as it is; otherwise validates it with the origin.
    private func useStored(_ entry: StoredEntry, _ exchange: Exchange, _ state: ExchangeCache, afterFill: Bool = false,
                           forward: @escaping (Exchange) -> Void) {
        let now = WallTime.current
        let metrics = exchange.route.metrics.cache
        let ttl = entry.freshness.lifetime &- entry.freshness.age(at: now)
        switch afterFill ? .fresh : Reuse.decide(entry.freshness, request: state.request.headers, now: now) {
        case .fresh:
            metrics.hits.increment()
            var status = state.status
            status.forward = nil
            status.ttl = ttl
            serveStored(entry, status: status, exchange, state)
        case .stale:
            // A client's `max-stale`, or `stale-while-revalidate`: served now; the next request
            // past the window validates it.
            metrics.staleServed.increment()
            serveStored(entry, status: CacheStatus(ttl: ttl), exchange, state)
        case .validate:
            state.stored = entry
            // `fwd=request` when only the client's directives stopped the entry from serving.
            let servableWithoutThem = Reuse.decide(entry.freshness, request: [:], now: now) != .validate
            state.status.forward = servableWithoutThem ? .request : .stale
            guard let key = state.key else { return forward(exchange) }
            resolve(state.cache.fill(key, request: state.request.headers, now: now, on: context.eventLoop),
                    exchange, state, forward: forward)
        }
    }

    /// Writes a stored response to the client: its head with `Age` and the cache's fields,
    /// or a 304 when the client's own condition holds; a HEAD gets the head only.
    func serveStored(_ entry: StoredEntry, status: CacheStatus, _ exchange: Exchange, _ state: ExchangeCache) {
        let now = WallTime.current
        let notModified = Revalidation.notModified(request: state.request.headers, stored: entry.response.headers)
        let code = HTTPResponseStatus(statusCode: notModified ? 304 : entry.response.status)
        let bodyless = notModified || Self.forbidsBody(code)
        let sendsBody = !bodyless && exchange.request.method != .HEAD && !entry.body.isEmpty
        if !exchange.requestEnded && exchange.hasBody {
            discarding = true
            if !exchange.bodyCanBeDrained { closing = true }
        }
        exchange.status = Int(code.code)
        exchange.responseStarted = true
        exchange.bodyBytesSent = sendsBody ? entry.body.count : 0
        let age = max(0, entry.freshness.age(at: now))
        var bytes = context.channel.allocator.buffer(capacity: Self.headBufferCapacity + (sendsBody ? entry.body.count : 0))
        if let edits = exchange.context?.responseHeaderEdits, !edits.isEmpty {
            var headers = HTTPHeaders()
            for field in entry.response.headers.fields where StoredResponseHead.servedAsStored(field.name, notModified: notModified) {
                headers.add(name: field.name, value: field.value)
            }
            headers.add(name: "age", value: String(age))
            headers.add(name: "x-cache", value: status.xCache)
            headers.add(name: "cache-status", value: status.fieldValue)
            headers.add(name: "via", value: core.via)
            headers.add(name: "x-request-id", value: exchange.requestID)
            if !bodyless { headers.add(name: "content-length", value: String(entry.body.count)) }
            var head = HTTPResponseHead(version: exchange.request.version, status: code, headers: headers)
            prepareResponseHead(&head, exchange)
            HeadWriter.write(head, into: &bytes)
        } else {
            if quiescing || !exchange.keepAlive { closing = true }
            let version = exchange.request.version
            StoredResponseHead(
                version: version, status: code, age: age, cacheStatus: status, via: core.via, requestID: exchange.requestID,
                contentLength: bodyless ? nil : entry.body.count,
                connection: closing ? "close" : version.minor == 0 ? "keep-alive" : nil
            ).write(entry.response.headers, notModified: notModified, into: &bytes)
        }
        if sendsBody { bytes.writeBytes(entry.body) }
        context.write(wrapOutboundOut(bytes), promise: nil)
        finish(exchange)
    }

    /// RFC 9110 §15.4.5: what a 304 carries of the stored response.
    static let notModifiedFields: Set<String> = [
        "cache-control", "content-location", "date", "etag", "expires", "vary", "last-modified",
    ]

    /// The conditional fields the origin is asked with when the gateway validates a stored
    /// entry; none when the client sent conditions of its own (its answer is then the client's).
    func validators(_ exchange: Exchange) -> [(String, String)]? {
        guard let state = exchange.cache, let stored = state.stored else { return nil }
        let own = state.request.headers
        guard !own.contains("if-none-match"), !own.contains("if-modified-since") else { return nil }
        let fields = Revalidation.conditionalFields(for: stored.response.headers).fields
        guard !fields.isEmpty else { return nil }
        state.validating = true
        return fields.map { ($0.name, $0.value) }
    }

    // MARK: the origin's response

    /// Decides what the origin's response head means for the cache, before it goes to the
    /// client. False when the client gets a stored entry instead, once the origin's answer ends.
    func cacheReceives(_ head: ResponseHead, _ exchange: Exchange, _ state: ExchangeCache) -> Bool {
        let now = WallTime.current
        let code = Int(head.status.code)
        let fields = head.fields.fieldList
        let response = CacheResponse(status: code, headers: fields)
        let metrics = exchange.route.metrics.cache
        if state.key == nil {
            for bust in UnsafeMethodInvalidation.invalidations(
                request: state.request, status: code, response: fields, template: state.rules.key)
            {
                state.cache.invalidate(bust, now: now)
            }
            return true
        }
        state.status.forwardStatus = code
        if let stored = state.stored {
            if code == 304 && state.validating {
                let refreshed = Revalidation.refreshed(stored.response, by: fields, tagFields: state.rules.tagFields)
                var entry = stored
                entry.response = refreshed
                if case .store(let freshness) = Storability.evaluate(
                    request: state.request, response: refreshed, requestTime: state.requestTime, responseTime: now,
                    rules: state.rules)
                {
                    entry.freshness = freshness
                    if state.fill != nil {
                        state.finishFill(entry, now: now)
                    } else {
                        state.cache.refresh(stored.key, request: state.request.headers, response: refreshed, freshness: freshness)
                    }
                } else {
                    state.finishFill(nil, now: now)
                }
                metrics.revalidated.increment()
                var status = state.status
                status.ttl = entry.freshness.lifetime &- entry.freshness.age(at: now)
                state.phase = .servingStored(entry, status)
                return false
            }
            if code >= 500 && Reuse.servesOnError(stored.freshness, request: state.request.headers, now: now) {
                state.finishFill(nil, now: now)
                metrics.staleServed.increment()
                state.phase = .servingStored(stored, CacheStatus(ttl: stored.freshness.lifetime &- stored.freshness.age(at: now)))
                return false
            }
        }
        switch Storability.evaluate(request: state.request, response: response, requestTime: state.requestTime,
                                    responseTime: now, rules: state.rules) {
        case .store(let freshness) where state.fill != nil:
            state.status.stored = true
            state.status.ttl = freshness.lifetime &- freshness.age(at: now)
            let length = fields.first("content-length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
            var body: [UInt8] = []
            body.reserveCapacity(min(length, state.rules.maxObjectSize))
            state.phase = .collecting(StoredHeaders(response: fields, tagFields: state.rules.tagFields), freshness, body: body)
        case .store:
            break
        case .bypass:
            state.finishFill(nil, now: now)
        }
        return true
    }

    /// The cache's fields on a forwarded response, and the tag field taken off.
    func decorate(_ head: inout HTTPResponseHead, _ state: ExchangeCache) {
        guard state.key != nil else { return }
        for field in state.rules.tagFields { head.headers.remove(name: field) }
        head.headers.replaceOrAdd(name: "x-cache", value: state.status.xCache)
        head.headers.replaceOrAdd(name: "cache-status", value: state.status.fieldValue)
    }

    /// Body bytes of a response being stored; past the rule's largest object, it is not.
    func cacheCollects(_ body: ByteBuffer, _ state: ExchangeCache) {
        guard case .collecting(let headers, let freshness, var bytes) = state.phase else { return }
        state.phase = .forwarding
        guard bytes.count + body.readableBytes <= state.rules.maxObjectSize else {
            state.finishFill(nil, now: .current)
            return
        }
        body.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
        state.phase = .collecting(headers, freshness, body: bytes)
    }

    /// The origin's response has ended: store what was collected.
    func cacheStores(_ exchange: Exchange, _ state: ExchangeCache) {
        guard case .collecting(let headers, let freshness, let body) = state.phase, let key = state.key else {
            state.finishFill(nil, now: .current)
            return
        }
        state.phase = .forwarding
        let response = CacheResponse(status: exchange.status, headers: headers.fields)
        let entry = StoredEntry(
            key: key, varyNames: VaryKey.names(headers.fields) ?? [], request: state.request.headers,
            route: exchange.route.id, tags: headers.tags, response: response, body: body, freshness: freshness)
        state.finishFill(entry, now: .current)
    }

    /// An error answer is about to go out: a stale entry that allows it is served instead.
    func servesStaleOnError(_ exchange: Exchange, status: HTTPResponseStatus) -> Bool {
        guard status.code >= 500, let state = exchange.cache, let stored = state.stored, !exchange.responseStarted,
              Reuse.servesOnError(stored.freshness, request: state.request.headers, now: .current)
        else { return false }
        state.finishFill(nil, now: .current)
        exchange.route.metrics.cache.staleServed.increment()
        let now = WallTime.current
        serveStored(stored, status: CacheStatus(ttl: stored.freshness.lifetime &- stored.freshness.age(at: now)), exchange, state)
        return true
    }
}
