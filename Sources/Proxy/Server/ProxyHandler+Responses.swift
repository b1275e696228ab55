import ManagerCore
import Logging
import NIOCore
import NIOHTTP1

extension ProxyHandler {
    /// Response header edits and connection handling for a response head of an exchange built as `HTTPHeaders`.
    func prepareResponseHead(_ head: inout HTTPResponseHead, _ exchange: Exchange) {
        if let edits = exchange.context?.responseHeaderEdits, !edits.isEmpty {
            ForwardingHeaders.apply(edits, to: &head.headers)
        }
        if lifecycle != .open || !exchange.keepAlive {
            lifecycle = .closing
            head.headers.replaceOrAdd(name: "connection", value: "close")
        } else if head.version.minor == 0 {
            head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
    }

    /// Ends the current response and gets ready for the next request (or closes).
    func finish(_ exchange: Exchange, at now: NIODeadline = .now()) {
        exchange.phase = .finished
        self.exchange = nil
        record(exchange, at: now)
        endResponse()
    }

    private func endResponse() {
        // The response's last bytes, written and flushed in one call: what is held of it, or
        // the last chunk of a body the gateway chunks.
        var last = takeHeld()
        if case .body(chunked: true) = output {
            if let held = last { context.write(wrapOutboundOut(held), promise: nil) }
            last = ByteBuffer(staticString: HeadWriter.lastChunk)
        }
        output = .idle
        clock.awaitingHead = true
        clock.idleSince = .now()
        // Bytes of a pipelined request that arrived meanwhile start its read timeout now.
        clock.firstByteAt = reader.bufferedBytes > 0 ? clock.idleSince : nil
        if lifecycle != .open {
            lifecycle = .closing
            context.writeAndFlush(wrapOutboundOut(last ?? ByteBuffer())).assumeIsolated().whenComplete { [context] _ in
                context?.close(promise: nil)
            }
        } else {
            if let last { context.writeAndFlush(wrapOutboundOut(last), promise: nil) } else { context.flush() }
            readInput()
            if exchange?.requestEnded != true || reader.bufferedBytes == 0 { resumeReads() }
        }
    }

    func writeHead(_ head: HTTPResponseHead) {
        var bytes = headBuffer()
        HeadWriter.write(head, into: &bytes)
        headSlot.keep(bytes)
        context.write(wrapOutboundOut(bytes), promise: nil)
    }

    /// An empty buffer for a head to the client, with room for most heads and a small body
    /// behind one: the last head's, when it was kept.
    func headBuffer() -> ByteBuffer {
        guard var bytes = headSlot.take() else { return context.channel.allocator.buffer(capacity: Self.headBufferCapacity) }
        bytes.clear()
        return bytes
    }

    /// What is held back of a forwarded response (its head, and a small body joined to it),
    /// now to go out; the output moves on to the body.
    private func takeHeld() -> ByteBuffer? {
        switch output {
        case .headHeld(let head, let chunked):
            output = .body(chunked: chunked)
            headSlot.keep(head)
            return head
        case .headAndBodyHeld(let bytes):
            output = .body(chunked: false)
            headSlot.keep(bytes)
            return bytes
        case .idle, .body:
            return nil
        }
    }

    /// What is held back of a forwarded response, if it has not gone out yet.
    func writeHeld() {
        if let held = takeHeld() { context.write(wrapOutboundOut(held), promise: nil) }
    }

    /// Response body bytes, chunked when the gateway frames the response.
    func writeBody(_ body: ByteBuffer) {
        if case .headHeld(var head, chunked: false) = output, body.readableBytes <= Self.bodyJoinedToHead {
            output = .idle
            var body = body
            head.writeBuffer(&body)
            output = .headAndBodyHeld(head)
            return
        }
        writeHeld()
        guard case .body(chunked: true) = output else {
            context.write(wrapOutboundOut(body), promise: nil)
            return
        }
        HeadWriter.writeChunk(body, allocator: context.channel.allocator) { context.write(wrapOutboundOut($0), promise: nil) }
    }

    func record(_ exchange: Exchange, at now: NIODeadline = .now()) {
        let elapsed = now - exchange.start
        // Only the gateway's own 429 is a rate limit's: a forwarded one started a response.
        exchange.route.metrics.record(
            status: exchange.status, nanoseconds: elapsed.nanoseconds,
            rateLimited: exchange.status == 429 && !exchange.responseStarted)
        if core.accessLog.shouldLog {
            let request = exchange.request
            core.accessLog.write(AccessLogEntry(
                method: request.method, uri: request.target, version: request.version, status: exchange.status,
                route: exchange.route.id, upstream: exchange.upstream?.config.id, target: exchange.target?.authority,
                requestID: exchange.requestID, client: clientIP, consumer: exchange.consumer,
                durationNanos: elapsed.nanoseconds, attempts: exchange.attempts, bodyBytesSent: exchange.bodyBytesSent,
                fields: request.fields))
        }
    }

    /// An answer made at the gateway for a routed request (a policy's, or an upstream failure's).
    func respondFromGateway(_ exchange: Exchange, _ response: GatewayResponse) {
        if let connection = exchange.connection {
            exchange.connection = nil
            exchange.target?.health.inFlight.wrappingSubtract(1, ordering: .relaxed)
            connection.close()
        }
        if servesStaleOnError(exchange, status: response.status) { return }
        if !exchange.requestEnded && exchange.hasBody {
            // A small announced body is read and dropped so the connection serves the next
            // request; any other unread body is not worth waiting for: the connection ends.
            input = .discarding
            if !exchange.bodyCanBeDrained { lifecycle = .closing }
        }
        if response.headers.first(name: "connection")?.lowercased() == "close" { lifecycle = .closing }
        exchange.status = Int(response.status.code)
        var head = HTTPResponseHead(version: exchange.request.version, status: response.status, headers: response.headers)
        head.headers.replaceOrAdd(name: "x-request-id", value: exchange.requestID)
        var body = response.body ?? Self.statusBody(response.status, context.channel.allocator)
        if Self.forbidsBody(response.status) {
            body.clear()
            head.headers.remove(name: "content-length")
            head.headers.remove(name: "content-type")
        } else {
            if response.body == nil && body.readableBytes > 0 {
                head.headers.replaceOrAdd(name: "content-type", value: "application/json")
            }
            // A HEAD answer keeps the length its GET would have, without the bytes.
            head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
            if exchange.request.isHEAD { body.clear() }
        }
        exchange.bodyBytesSent = body.readableBytes
        prepareResponseHead(&head, exchange)
        writeHead(head)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(body), promise: nil) }
        finish(exchange)
    }

    /// 404 with a small JSON body.
    func respondNoRoute(
        head request: RequestHead, requestID: String, framing: RequestFraming, keepAlive: Bool, start: NIODeadline
    ) {
        let body = Self.statusBody(.notFound, context.channel.allocator)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "x-request-id", value: requestID)
        let drains = framing != .none && Exchange.bodyCanBeDrained(framing, request)
        if drains { input = .discarding }
        if (framing != .none && !drains) || !keepAlive || lifecycle == .closing {
            // The unread body is not worth reading; the connection ends with this answer.
            lifecycle = .closing
            input = .discarding
            headers.add(name: "connection", value: "close")
        } else if request.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        writeHead(HTTPResponseHead(version: request.version, status: .notFound, headers: headers))
        let sent = request.isHEAD ? 0 : body.readableBytes
        if sent > 0 { context.write(wrapOutboundOut(body), promise: nil) }
        if core.accessLog.shouldLog {
            core.accessLog.write(.unrouted(
                request, status: 404, requestID: requestID, client: clientIP,
                durationNanos: (NIODeadline.now() - start).nanoseconds, bodyBytesSent: sent))
        }
        endResponse()
    }

    /// A request refused before routing (malformed, too large, too slow): answer, log and
    /// close. `head` is what was read of it (else the request line the reader has, if any);
    /// `start`, when it began (else its first byte).
    func refuse(status: HTTPResponseStatus, reason: String, head: RequestHead? = nil, start: NIODeadline? = nil) {
        guard lifecycle != .closing else { return }
        let head = head ?? reader.pendingRequestLine.map(RequestHead.init)
        core.logger.debug("request refused", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        lifecycle = .closing
        input = .discarding
        let body = Self.statusBody(status, context.channel.allocator)
        let requestID = core.requestIDs.next()
        let headers: HTTPHeaders = [
            "content-type": "application/json", "content-length": String(body.readableBytes),
            "connection": "close", "x-request-id": requestID,
        ]
        let version = head?.version ?? .http1_1
        writeHead(HTTPResponseHead(version: version.minor == 0 ? .http1_0 : .http1_1, status: status, headers: headers))
        if core.accessLog.shouldLog {
            core.accessLog.write(.unrouted(
                head, status: Int(status.code), requestID: requestID, client: clientIP,
                durationNanos: (NIODeadline.now() - (start ?? clock.firstByteAt ?? .now())).nanoseconds,
                bodyBytesSent: body.readableBytes))
        }
        context.writeAndFlush(wrapOutboundOut(body)).assumeIsolated().whenComplete { [context] _ in
            context?.close(promise: nil)
        }
    }

    /// A request that turned bad after its head (body too large or too slow, broken chunking).
    func refuseMidRequest(_ exchange: Exchange, status: HTTPResponseStatus, reason: String) {
        core.logger.debug("request refused", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        if exchange.responseStarted {
            exchange.phase = .finished
            self.exchange = nil
            abandon(exchange)
            record(exchange)
            lifecycle = .closing
            context.close(promise: nil)
            return
        }
        lifecycle = .closing
        respondFromGateway(exchange, GatewayResponse(status: status))
    }

    /// 1xx, 204 and 304 have neither a body nor, from the gateway, a Content-Length (RFC 9110 §6.4.1, §8.6).
    static func forbidsBody(_ status: HTTPResponseStatus) -> Bool {
        status.code < 200 || status == .noContent || status == .notModified
    }

    static func statusBody(_ status: HTTPResponseStatus, _ allocator: ByteBufferAllocator) -> ByteBuffer {
        let message = String(status.reasonPhrase.lowercased().map { $0 == " " ? "_" : $0 })
        return allocator.buffer(string: "{\"error\":\"\(message)\",\"status\":\(status.code)}\n")
    }
}
