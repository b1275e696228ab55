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
        // RFC 9111 §5.2.1.7: a client that asks `only-if-cached` gets a stored response or a 504.
        let onlyIfCached = CacheControl(request.headers).has("only-if-cached")
        let goOn: (Exchange) -> Void = onlyIfCached ? { [weak self] exchange in
            state.finishFill(nil, now: .current)
            self?.respondFromGateway(exchange, GatewayResponse(status: .gatewayTimeout))
        } : forward
        resolve(cache.lookup(key, request: request.headers, route: exchange.route.id, now: now, on: context.eventLoop),
                exchange, state, forward: goOn)
    }

    private func resolve(_ lookup: CacheLookup, _ exchange: Exchange, _ state: ExchangeCache,
                         forward: @escaping (Exchange) -> Void) {
        let metrics = exchange.route.metrics.cache
        switch lookup {
        case .hit(let entry):
            useStored(entry, exchange, state, forward: forward)
        case .near(let entry):
            useStored(entry, exchange, state, near: true, forward: forward)
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
    /// `near`: the entry is a near-cache copy of another node's.
    private func useStored(_ entry: StoredEntry, _ exchange: Exchange, _ state: ExchangeCache, afterFill: Bool = false,
                           near: Bool = false, forward: @escaping (Exchange) -> Void) {
        let now = WallTime.current
        let metrics = exchange.route.metrics.cache
        let ttl = entry.freshness.lifetime &- entry.freshness.age(at: now)
        switch afterFill ? .fresh : Reuse.decide(entry.freshness, request: state.request.headers, now: now) {
        case .fresh:
            metrics.hits.increment()
            if near { metrics.nearHits.increment() }
            serveStored(entry, status: state.served(ttl: ttl), exchange, state)
        case .stale(let revalidate):
            // A client's `max-stale`, or `stale-while-revalidate`: served now, and in the
            // latter case validated with the origin once the client has its answer.
            metrics.staleServed.increment()
            serveStored(entry, status: state.served(ttl: ttl), exchange, state)
            if revalidate { validateInBackground(entry, exchange, state) }
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
        let sendsBody = !bodyless && !exchange.request.isHEAD && !entry.body.isEmpty
        if !exchange.requestEnded && exchange.hasBody {
            input = .discarding
            if !exchange.bodyCanBeDrained { lifecycle = .closing }
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
            if lifecycle != .open || !exchange.keepAlive { lifecycle = .closing }
            let version = exchange.request.version
            StoredResponseHead(
                version: version, status: code, age: age, cacheStatus: status, via: core.via, requestID: exchange.requestID,
                contentLength: bodyless ? nil : entry.body.count,
                connection: lifecycle == .closing ? "close" : version.minor == 0 ? "keep-alive" : nil
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
        let metrics = exchange.route.metrics.cache
        switch state.received(status: Int(head.status.code), fields: head.fields.fieldList, now: .current) {
        case .forward:
            return true
        case .validated(let entry, let status):
            metrics.revalidated.increment()
            state.phase = .servingStored(entry, status)
            return false
        case .staleOnError(let entry, let status):
            metrics.staleServed.increment()
            state.phase = .servingStored(entry, status)
            return false
        }
    }

    /// The cache's fields on a forwarded response (with its `Age` when it is stored), and the
    /// tag field taken off.
    func decorate(_ head: inout HTTPResponseHead, _ state: ExchangeCache) {
        guard state.key != nil else { return }
        for field in state.rules.tagFields { head.headers.remove(name: field) }
        head.headers.replaceOrAdd(name: "x-cache", value: state.status.xCache)
        head.headers.replaceOrAdd(name: "cache-status", value: state.status.fieldValue)
        if let age = state.forwardedAge { head.headers.replaceOrAdd(name: "age", value: String(age)) }
    }

    /// An error answer is about to go out: a stale entry that allows it is served instead.
    func servesStaleOnError(_ exchange: Exchange, status: HTTPResponseStatus) -> Bool {
        guard status.code >= 500, let state = exchange.cache, let stored = state.stored, !exchange.responseStarted,
              Reuse.servesOnError(stored.freshness, request: state.request.headers, now: .current)
        else { return false }
        state.finishFill(nil, now: .current)
        exchange.route.metrics.cache.staleServed.increment()
        let now = WallTime.current
        serveStored(stored, status: state.served(ttl: stored.freshness.lifetime &- stored.freshness.age(at: now)), exchange, state)
        return true
    }
}

extension ProxyHandler {
    /// After a stale entry was served within its `stale-while-revalidate` window: one request
    /// for the key validates it in the background, the others find the fill in flight.
    func validateInBackground(_ entry: StoredEntry, _ exchange: Exchange, _ state: ExchangeCache) {
        guard let key = state.key,
              case .lead(let fill) = state.cache.fill(key, request: state.request.headers, now: .current, on: context.eventLoop)
        else { return }
        let validation = ExchangeCache(rules: state.rules, cache: state.cache, request: state.request, key: key, now: .current)
        validation.stored = entry
        validation.fill = fill
        validation.validating = true
        let upstream = upstream(for: exchange)
        let input = BalanceInput(hashKey: upstream.hashKey.flatMap { exchange.value(of: $0, clientAddress: remoteAddress) })
        guard let target = upstream.pick(input, excluded: TriedTargets(), now: .now()),
              let pool = target.pool(for: context.eventLoop)
        else { return }
        var head = (exchange.context.map { RequestHead($0.head) } ?? exchange.request).http
        head.method = .GET
        head.headers.remove(name: "if-none-match")
        head.headers.remove(name: "if-modified-since")
        head.headers.remove(name: "content-length")
        head.headers.remove(name: "transfer-encoding")
        for field in Revalidation.conditionalFields(for: entry.response.headers).fields {
            head.headers.add(name: field.name, value: field.value)
        }
        let forwarding = ForwardingHeaders.Forwarding(clientIP: clientIP, proto: scheme, requestID: exchange.requestID, via: core.via)
        var bytes = context.channel.allocator.buffer(capacity: Self.headBufferCapacity)
        UpstreamRequestHead(uri: upstreamURI(head.uri, strip: exchange.route.stripSegments), framing: .none,
                            forwarding: forwarding, defaultHost: target.authority)
            .write(RequestHead(head), options: ConnectionOptions(head.headers), into: &bytes)
        BackgroundValidation(state: validation, route: exchange.route.id, readTimeout: upstream.readTimeout)
            .start(head: bytes, pool: pool, fieldLimit: core.options.limits.maxHeaderFields)
    }
}
