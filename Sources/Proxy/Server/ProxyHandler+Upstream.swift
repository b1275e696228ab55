import Logging
import NIOCore
import NIOHTTP1

extension ProxyHandler: UpstreamResponseSink {
    func upstreamHead(_ head: HTTPResponseHead, framing: BodyDecoder.Framing, options: ConnectionOptions,
                      from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection else { return }
        exchange.target?.health.recordSuccess()
        exchange.upstreamKeepAlive = options.persists(head.version) && framing != .untilClose
        exchange.responseStarted = true
        exchange.status = Int(head.status.code)
        exchange.buffered.removeAll()
        exchange.bufferedBytes = 0
        var (clientHead, hasLength) = ForwardingHeaders.clientHead(
            from: head, options: options, version: exchange.clientHead.version, requestID: exchange.context.requestID, via: core.via)
        let bodyless = exchange.clientHead.method == .HEAD || head.status == .noContent || head.status == .notModified
        let passesLength = hasLength && framing != .chunked && framing != .untilClose
        if !passesLength && !bodyless && exchange.clientHead.version.minor == 0 { closing = true }
        prepareResponseHead(&clientHead, exchange)
        chunkingResponse = false
        if !bodyless && !(passesLength && clientHead.headers.contains(name: "content-length")) {
            clientHead.headers.remove(name: "content-length")
            if clientHead.version.minor == 0 {
                if !closing {
                    closing = true
                    clientHead.headers.replaceOrAdd(name: "connection", value: "close")
                }
            } else {
                clientHead.headers.add(name: "transfer-encoding", value: "chunked")
                chunkingResponse = true
            }
        }
        writeHead(clientHead)
    }

    func upstreamBody(_ body: ByteBuffer, from connection: UpstreamConnection) {
        guard let exchange, exchange.connection === connection else { return }
        writeBody(body)
        if !context.channel.isWritable {
            context.flush()
            if !context.channel.isWritable { connection.handler.holdReads() }
        }
    }

    func upstreamReadComplete(from connection: UpstreamConnection) {
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
        if exchange.requestEnded && exchange.upstreamKeepAlive {
            connection.pool.release(connection)
        } else {
            connection.close()
        }
        if !exchange.requestEnded { closing = true }
        finish(exchange)
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
                    "target ejected", metadata: ["upstream": "\(upstream.config.id)", "target": "\(target.config.authority)"])
            }
        }
        if exchange.responseStarted {
            core.logger.debug("upstream failed mid-response", metadata: ["error": "\(error)"])
            exchange.phase = .finished
            self.exchange = nil
            record(exchange)
            closing = true
            context.close(promise: nil)
            return
        }
        let mayRetry = exchange.retainsBody && !timedOut && (exchange.isIdempotent || stale)
        if mayRetry && (stale || exchange.attempts <= upstream.config.retries) {
            if stale {
                exchange.attempts -= 1
                exchange.tried.removeLast()
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
