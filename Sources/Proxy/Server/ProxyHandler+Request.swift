import Logging
import NIOCore
import NIOHTTP1

extension ProxyHandler {
    func receiveHead(_ head: consuming RequestHead, framing: RequestFraming, options: ConnectionOptions) {
        let now = NIODeadline.now()
        clock.lastBodyAt = now
        countDroppedUnderscoredFields(head.droppedFields)
        if case .contentLength(let length) = framing, length > core.options.limits.maxBodyBytes {
            core.metrics.rejected.increment()
            refuse(status: .payloadTooLarge, reason: "request body too large", head: head, start: now)
            return
        }
        let target = RequestValidator.originForm(head.target)
        // A target is ASCII (RequestReader): its first `?` byte ends the path.
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target
        if PathSafety.hasDotSegment(path) {
            core.metrics.rejected.increment()
            refuse(status: .badRequest, reason: "dot segment in path", head: head, start: now)
            return
        }
        let requestID: String
        if let given = head.fields.first(name: "x-request-id"), RequestIDGenerator.isAcceptable(given) {
            requestID = given
        } else {
            requestID = core.requestIDs.next()
        }
        let keepAlive = options.persists(head.version)
        let snapshot = core.snapshot()
        // The head's method and fields are only copied out for a route with conditions on them.
        guard let route = snapshot.route(host: { Self.routingHost(head) }, path: path,
                                         accept: { $0.acceptsEveryRequest || $0.accepts(head.method, head.fields) })
        else {
            core.metrics.unrouted.increment()
            countDroppedUnderscoredFields(head.underscored.count)
            respondNoRoute(head: head, requestID: requestID, framing: framing, keepAlive: keepAlive, start: now)
            return
        }
        placeUnderscoredFields(&head, on: route)
        // Policies see the head as HTTPHeaders; a route without them forwards the client's bytes.
        let context = route.policies.isEmpty ? nil : RequestContext(
            head: head.http, routeID: route.id, clientAddress: remoteAddress, requestID: requestID)
        let exchange = Exchange(
            snapshot: snapshot, route: route, request: head, context: context, requestID: requestID, framing: framing,
            connectionOptions: options, keepAlive: keepAlive && lifecycle != .closing, start: now,
            globalBodyLimit: core.options.limits.maxBodyBytes)
        self.exchange = exchange
        runPolicies(exchange)
    }

    /// Puts the underscored fields the head set aside among the others when the route keeps
    /// them (`underscores_in_headers`, or else `--underscores-in-headers`); else leaves the
    /// head as it is and counts those fields as dropped.
    private func placeUnderscoredFields(_ head: inout RequestHead, on route: CompiledRoute) {
        guard !head.underscored.isEmpty else { return }
        if route.underscoresInHeaders ?? (core.options.underscoredFields == .kept) {
            head = head.keepingUnderscoredFields()
            return
        }
        countDroppedUnderscoredFields(head.underscored.count)
    }

    private func countDroppedUnderscoredFields(_ count: Int) {
        guard count > 0 else { return }
        core.metrics.droppedUnderscoredFields.increment(by: Int64(count))
        core.logger.debug("request fields with '_' in their names dropped", metadata: ["fields": "\(count)"])
    }

    /// Lower-cased host without port, from an absolute-form target or else the Host field.
    static func routingHost(_ head: RequestHead) -> Substring {
        var authority: Substring
        if let absolute = ForwardingHeaders.absoluteAuthority(head.target) {
            authority = absolute
        } else if let host = head.fields.first(name: "host") {
            authority = Substring(host)
        } else {
            return ""
        }
        let bytes = authority.utf8
        if bytes.first == UInt8(ascii: "[") {
            let close = bytes.firstIndex(of: UInt8(ascii: "]")) ?? bytes.endIndex
            authority = Substring(bytes[bytes.index(after: bytes.startIndex)..<close])
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            authority = Substring(bytes[..<colon])
        }
        if authority.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
            return Substring(authority.lowercased())
        }
        return authority
    }

    // MARK: policies

    /// Runs the route's policies in order from where the exchange stopped.
    func runPolicies(_ exchange: Exchange) {
        let policies = exchange.route.policies
        while exchange.policyIndex < policies.count {
            // The policy edits the context moved out of the exchange, not the exchange's own
            // property: no access to that lasts across the call.
            var request = exchange.context.take()!
            let decision = policies[exchange.policyIndex].evaluate(&request, on: context.eventLoop)
            exchange.context = request
            exchange.policyIndex += 1
            if case .proceed = decision { continue }
            handle(decision, exchange)
            return
        }
        startForwarding(exchange)
    }

    private func handle(_ decision: PolicyDecision, _ exchange: Exchange) {
        switch decision {
        case .proceed:
            runPolicies(exchange)
        case .respond(let response):
            respondFromGateway(exchange, response)
        case .deferred(let future):
            future.hop(to: context.eventLoop).assumeIsolated().whenComplete { [weak self] result in
                guard let self, self.exchange === exchange, exchange.phase == .policies else { return }
                switch result {
                case .success(.proceed):
                    // The future could not edit the request: the same policy decides again, now at once.
                    exchange.policyIndex -= 1
                    self.runPolicies(exchange)
                case .success(let next):
                    self.handle(next, exchange)
                case .failure(let error):
                    self.core.logger.error(
                        "policy failed", metadata: ["route": "\(exchange.route.id)", "error": "\(error)"])
                    self.respondFromGateway(exchange, GatewayResponse(status: .internalServerError))
                }
            }
        }
    }

    // MARK: forwarding

    private func startForwarding(_ exchange: Exchange) {
        // An HTTP/1.0 client's expectation is ignored (RFC 9110 §10.1.1): it never waits for a 100.
        if exchange.request.version.minor > 0, let expect = exchange.field("expect") {
            guard expect.equalsIgnoringASCIICase("100-continue") else {
                respondFromGateway(exchange, GatewayResponse(status: .expectationFailed))
                return
            }
            if exchange.framing != .none && !exchange.requestEnded && exchange.bodyBytes == 0 {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
            }
        }
        if let rules = exchange.route.cache, let cache = core.cache {
            consultCache(exchange, rules: rules, cache: cache) { [weak self] in self?.forward($0) }
        } else {
            forward(exchange)
        }
    }

    /// Picks the upstream and sends the request on its way.
    private func forward(_ exchange: Exchange) {
        exchange.upstream = upstream(for: exchange)
        // The policies' head is copied out first: its `uri` is read through a call, which must
        // not run inside an access to the exchange's property (see `runPolicies`).
        let edited = exchange.context?.head
        exchange.upstreamURI = upstreamURI(edited?.uri ?? exchange.request.target, strip: exchange.route.stripSegments)
        exchange.phase = .connecting
        attempt(exchange)
    }

    /// The route's upstream for this request: its one upstream, or a split's share.
    func upstream(for exchange: Exchange) -> UpstreamRuntime {
        switch exchange.route.destination {
        case .single(let upstream):
            return upstream
        case .split(let split):
            let key = split.sticky.flatMap { exchange.value(of: $0, clientAddress: remoteAddress) }
            return split.pick(stickyKey: key)
        }
    }

    func upstreamURI(_ uri: String, strip: Int) -> String {
        if strip == 0 && uri.utf8.first == UInt8(ascii: "/") { return uri }
        let origin = RequestValidator.originForm(uri)
        guard strip > 0 else { return String(origin) }
        var rest = origin[...]
        for _ in 0..<strip {
            rest = rest.dropFirst()
            rest = rest.drop { $0 != "/" && $0 != "?" }
        }
        if rest.isEmpty || rest.first == "?" { return "/" + rest }
        return String(rest)
    }

    /// One try: pick a target not tried yet, get a connection from this loop's pool, send.
    func attempt(_ exchange: Exchange) {
        guard let upstream = exchange.upstream else { return }
        let input = BalanceInput(
            hashKey: upstream.hashKey.flatMap { exchange.value(of: $0, clientAddress: remoteAddress) })
        let now = NIODeadline.now()
        guard let target = upstream.pick(input, excluded: exchange.tried, now: now),
            let pool = target.pool(for: context.eventLoop)
        else {
            respondFromGateway(exchange, GatewayResponse(status: .badGateway))
            return
        }
        exchange.attempts += 1
        exchange.target = target
        exchange.tried = exchange.tried.inserting(target)
        exchange.phase = .connecting
        if let connection = pool.takeIdle(now: now) {
            send(exchange, on: connection, target: target)
            return
        }
        pool.connect(fieldLimit: core.options.limits.maxHeaderFields) { [weak self] result in
            guard let self, self.exchange === exchange, exchange.phase == .connecting else {
                if case .success(let connection) = result { connection.pool.release(connection, at: .now()) }
                return
            }
            switch result {
            case .success(let connection):
                self.send(exchange, on: connection, target: target)
            case .failure(let error):
                self.connectFailed(exchange, target: target, error: error)
            }
        }
    }

    private func send(_ exchange: Exchange, on connection: UpstreamConnection, target: TargetRuntime) {
        connection.sink = self
        exchange.connection = connection
        exchange.phase = .forwarding
        exchange.upstreamSentAt = .now()
        exchange.progress.start(at: exchange.upstreamSentAt)
        tickSoonerIfNeeded()
        target.health.inFlight.wrappingAdd(1, ordering: .relaxed)
        let forwarding = ForwardingHeaders.Forwarding(clientIP: clientIP, proto: scheme, requestID: exchange.requestID, via: core.via)
        let upstreamHead = UpstreamRequestHead(uri: exchange.upstreamURI, framing: exchange.framing, forwarding: forwarding,
                                               defaultHost: target.authority)
        var bytes = connection.headBuffer(capacity: Self.headBufferCapacity)
        let isHEAD: Bool
        if let edited = editedHead(exchange) {
            upstreamHead.write(edited.head, options: edited.options, into: &bytes)
            isHEAD = edited.head.isHEAD
        } else {
            upstreamHead.write(exchange.request, options: exchange.connectionOptions, into: &bytes)
            isHEAD = exchange.request.isHEAD
        }
        connection.writeHead(bytes, isHEAD: isHEAD, flush: !exchange.upstreamBytesFollowHead)
        for part in exchange.buffered { exchange.writeBody(part, to: connection) }
        if !exchange.retainsBody {
            exchange.dropBuffered()
        }
        if exchange.requestEnded { exchange.writeEnd(to: connection) }
        connection.flush()
        if connection.isWritable { resumeReads() } else { holdReads() }
    }

    /// The head to send upstream when it is not the client's as it came: after policies, the
    /// head as they left it, with the connection options read anew because they may have
    /// edited the fields those came from; with a validation's conditions when the cache
    /// revalidates. Nil otherwise.
    private func editedHead(_ exchange: Exchange) -> (head: RequestHead, options: ConnectionOptions)? {
        let validators = validators(exchange)
        guard exchange.context != nil || validators != nil else { return nil }
        var request = exchange.context.map { RequestHead($0.head) } ?? exchange.request
        let options = exchange.context.map { ConnectionOptions($0.head.headers) } ?? exchange.connectionOptions
        if let validators {
            var head = request.http
            for (name, value) in validators { head.headers.replaceOrAdd(name: name, value: value) }
            request = RequestHead(head)
        }
        return (request, options)
    }

    private func connectFailed(_ exchange: Exchange, target: TargetRuntime, error: any Error) {
        guard let upstream = exchange.upstream else { return }
        if error is PoolExhausted {
            respondFromGateway(exchange, GatewayResponse(status: .serviceUnavailable))
            return
        }
        upstream.metrics.errors.increment()
        if target.health.recordFailure(now: .now(), policy: upstream.config.passiveHealth) {
            upstream.metrics.ejections.increment()
            core.logger.warning("target ejected", metadata: ["upstream": "\(upstream.config.id)", "target": "\(target.authority)"])
        }
        if exchange.attempts <= upstream.config.retries && exchange.retainsBody {
            upstream.metrics.retries.increment()
            attempt(exchange)
        } else {
            core.logger.debug("upstream connect failed", metadata: ["target": "\(target.authority)", "error": "\(error)"])
            respondFromGateway(exchange, GatewayResponse(status: .badGateway))
        }
    }
}
