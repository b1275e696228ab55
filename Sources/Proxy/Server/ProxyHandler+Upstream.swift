import ManagerCore
import Logging
import NIOCore
import NIOHTTP1

extension ProxyHandler: UpstreamResponseSink {
    /// An interim response (102, 103 Early Hints) goes on to the client at once, with the
    /// fields the final head would get; `100 Continue` is the gateway's own to send, and an
    /// HTTP/1.0 client gets none (RFC 9110 §15.2). None is stored.
    func upstreamInterim(_ head: ResponseHead, options: ConnectionOptions, from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection, !exchange.responseStarted,
              exchange.request.version.minor > 0, head.status != .continue else { return }
        exchange.progress.moved()
        writeHead(ForwardingHeaders.clientHead(
            from: head.http, options: options, version: exchange.request.version, requestID: exchange.requestID, via: core.via))
        context.flush()
    }

    func upstreamHead(_ head: ResponseHead, framing: BodyDecoder.Framing, options: ConnectionOptions,
                      from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection else { return }
        exchange.progress.moved()
        exchange.target?.health.recordSuccess()
        exchange.upstreamKeepAlive = options.persists(head.version) && framing != .untilClose
        exchange.responseStarted = true
        exchange.status = Int(head.status.code)
        exchange.dropBuffered()
        if let state = exchange.cache, !cacheReceives(head, exchange, state) { return }
        let version = exchange.request.version
        let bodyless = exchange.request.isHEAD || head.status.code == 204 || head.status.code == 304
        // The upstream's length frames the client's copy too, unless the gateway has to chunk
        // it (HTTP/1.1) or end it with the connection (HTTP/1.0). Policies cannot edit these
        // fields, so the decision holds on both paths below.
        let passesLength = head.hasContentLength && framing != .chunked && framing != .untilClose
        let dropsLength = !bodyless && !passesLength
        if lifecycle != .open || !exchange.keepAlive || (dropsLength && version.minor == 0) { lifecycle = .closing }
        let chunked = dropsLength && version.minor != 0
        var bytes = headBuffer()
        if exchange.cache != nil || exchange.context?.responseHeaderEdits.isEmpty == false {
            var edited = ForwardingHeaders.clientHead(
                from: head.http, options: options, version: version, requestID: exchange.requestID, via: core.via)
            if let state = exchange.cache { decorate(&edited, state) }
            prepareResponseHead(&edited, exchange)
            if dropsLength { edited.headers.remove(name: "content-length") }
            if chunked { edited.headers.add(name: "transfer-encoding", value: "chunked") }
            HeadWriter.write(edited, into: &bytes)
        } else {
            ClientResponseHead(
                version: version, requestID: exchange.requestID, via: core.via,
                connection: lifecycle == .closing ? "close" : version.minor == 0 ? "keep-alive" : nil,
                chunked: chunked, dropsLength: dropsLength
            ).write(head, options: options, into: &bytes)
        }
        // Held back a moment: a small body that arrived with it goes out in the same write.
        output = .headHeld(bytes, chunked: chunked)
    }

    func upstreamBody(_ body: ByteBuffer, from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection else { return }
        exchange.progress.moved()
        if let state = exchange.cache {
            if case .servingStored = state.phase { return }
            state.collect(body)
        }
        exchange.bodyBytesSent += body.readableBytes
        writeBody(body)
        if !context.channel.isWritable {
            context.flush()
            if !context.channel.isWritable { connection.handler.holdReads() }
        }
    }

    func upstreamReadComplete(from connection: UpstreamConnection) {
        writeHeld()
        context.flush()
    }

    func upstreamWritabilityChanged(_ writable: Bool, from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection else { return }
        if writable { resumeReads() } else { holdReads() }
    }

    func upstreamEnd(from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection else { return }
        exchange.connection = nil
        exchange.target?.health.inFlight.wrappingSubtract(1, ordering: .relaxed)
        let now = NIODeadline.now()
        if exchange.requestEnded && exchange.upstreamKeepAlive {
            connection.pool.release(connection, at: now)
        } else {
            connection.close()
        }
        if !exchange.requestEnded { lifecycle = .closing }
        exchange.upstream?.metrics.record(status: exchange.status, nanoseconds: (now - exchange.upstreamSentAt).nanoseconds)
        if let state = exchange.cache {
            if case .servingStored(let entry, let status) = state.phase {
                exchange.responseStarted = false
                serveStored(entry, status: status, exchange, state)
                return
            }
            state.ended(status: exchange.status, route: exchange.route.id)
        }
        finish(exchange, at: now)
    }

    func upstreamFailed(_ error: any Error, from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection, let upstream = exchange.upstream,
            let target = exchange.target
        else { return }
        exchange.connection = nil
        target.health.inFlight.wrappingSubtract(1, ordering: .relaxed)
        connection.close()
        let timedOut = error is UpstreamTimeout
        // A reused keep-alive connection the upstream closed while it sat idle: not the target's fault.
        let stale = connection.reused && !connection.receivedBytes && !timedOut
        if !stale {
            upstream.metrics.errors.increment()
            if target.health.recordFailure(now: .now(), policy: upstream.config.passiveHealth) {
                upstream.metrics.ejections.increment()
                core.logger.warning(
                    "target ejected", metadata: ["upstream": "\(upstream.config.id)", "target": "\(target.authority)"])
            }
        }
        if exchange.responseStarted {
            core.logger.debug("upstream failed mid-response", metadata: ["error": "\(error)"])
            exchange.phase = .finished
            self.exchange = nil
            record(exchange)
            lifecycle = .closing
            context.close(promise: nil)
            return
        }
        // A request that went out may have been processed even when no answer came, stale
        // connection or not: only an idempotent one is sent again.
        let mayRetry = exchange.retainsBody && !timedOut && exchange.isIdempotent
        if mayRetry && (stale || exchange.attempts <= upstream.config.retries) {
            if stale {
                exchange.attempts -= 1
                exchange.tried = exchange.tried.removingLast()
            } else {
                upstream.metrics.retries.increment()
            }
            attempt(exchange)
            return
        }
        respondFromGateway(exchange, GatewayResponse(status: timedOut ? .gatewayTimeout : .badGateway))
    }

    /// The request is gone (the client closed): release what it holds.
    func abandon(_ exchange: Exchange) {
        exchange.phase = .finished
        if let connection = exchange.connection {
            exchange.connection = nil
            exchange.target?.health.inFlight.wrappingSubtract(1, ordering: .relaxed)
            connection.close()
        }
    }
}
