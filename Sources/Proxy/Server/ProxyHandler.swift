import ManagerCore
import Logging
import NIOCore
import NIOHTTP1

/// The per-connection request path: read requests from the client's bytes
/// (``RequestReader``), pick the route from the current snapshot, run its policies,
/// forward to an upstream and stream the answer back. One request at a time: bytes of
/// pipelined requests wait in the reader while a response is still going out, and reads
/// pause until it has ended.
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let core: GatewayCore
    let clock: ConnectionClock
    let scheme: String
    var context: ChannelHandlerContext!
    var reader: RequestReader
    var exchange: Exchange?
    var remoteAddress: SocketAddress?
    /// The client's address as text, computed once per connection.
    var clientIP: String?
    var lifecycle = ConnectionLifecycle.open
    var input = RequestInput.body
    var output = ResponseOutput.idle
    private var readingInput = false
    private var readGate = ReadGate()
    /// The buffer of the last head written to the client, for the next one.
    var headSlot = HeadBufferSlot()
    private var ticker: Scheduled<Void>?
    private var tickEvery = TimeAmount.zero

    /// Bytes buffered for an upstream connection still being opened before client reads pause.
    static let connectBufferLimit = 1 << 20
    /// Body bytes up to this size that arrive with a response head are copied behind it (one write, not two).
    static let bodyJoinedToHead = 4096
    /// What a head's buffer is allocated with: most heads, and a small body behind one, fit without growing it.
    static let headBufferCapacity = 1024

    init(core: GatewayCore, clock: ConnectionClock, scheme: String) {
        self.core = core
        self.clock = clock
        self.scheme = scheme
        reader = RequestReader(headLimit: core.options.limits.maxHeaderBytes, fieldLimit: core.options.limits.maxHeaderFields)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        remoteAddress = context.channel.remoteAddress
        clientIP = remoteAddress?.ipAddress
        core.connections.add(context.channel)
        core.metrics.activeConnections.increment()
        clock.idleSince = .now()
        scheduleTick()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ticker?.cancel()
        ticker = nil
        core.connections.remove(context.channel)
        core.metrics.activeConnections.decrement()
        if let exchange {
            self.exchange = nil
            abandon(exchange)
        }
        context.fireChannelInactive()
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if lifecycle == .closing { return }
        if clock.awaitingHead && clock.firstByteAt == nil { clock.firstByteAt = .now() }
        reader.append(unwrapInboundIn(data))
        readInput()
    }

    /// The current request has been read whole and its response has not ended yet.
    private var awaitingResponse: Bool { exchange?.requestEnded == true }

    /// Takes requests from the reader, in order, until one of them must be answered first.
    func readInput() {
        guard !readingInput else { return }
        readingInput = true
        defer { readingInput = false }
        while lifecycle != .closing, !awaitingResponse, let event = reader.next() {
            handle(event)
        }
        if awaitingResponse && reader.bufferedBytes > 0 { holdReads() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if lifecycle == .open { lifecycle = .draining }
        if exchange == nil && lifecycle != .closing {
            lifecycle = .closing
            context.close(promise: nil)
        }
    }

    private func handle(_ event: consuming RequestReader.Event) {
        switch consume event {
        case .head(let head, let framing, let options):
            clock.awaitingHead = false
            clock.firstByteAt = nil
            input = .body
            receiveHead(head, framing: framing, options: options)
        case .body(let body):
            guard input == .body, let exchange else { return }
            receiveBody(body, exchange)
        case .end:
            if input == .discarding {
                // The dropped body's bytes were not the start of a next request.
                input = .body
                clock.firstByteAt = nil
                clock.idleSince = .now()
                return
            }
            guard let exchange else { return }
            exchange.requestEnded = true
            if let connection = exchange.connection, exchange.phase == .forwarding {
                exchange.writeEnd(to: connection)
                connection.flush()
            }
        case .refused(let rejection):
            core.metrics.rejected.increment()
            if let exchange, input == .body {
                refuseMidRequest(exchange, status: rejection.status, reason: rejection.reason)
            } else {
                refuse(status: rejection.status, reason: rejection.reason)
            }
        }
    }

    private func receiveBody(_ body: ByteBuffer, _ exchange: Exchange) {
        clock.lastBodyAt = .now()
        exchange.bodyBytes += body.readableBytes
        if exchange.bodyBytes > exchange.bodyLimit {
            refuseMidRequest(exchange, status: .payloadTooLarge, reason: "request body too large")
            return
        }
        if exchange.retainsBody && exchange.bodyBytes > Exchange.retryBufferLimit {
            exchange.retainsBody = false
            if exchange.connection != nil {
                exchange.dropBuffered()
            }
        }
        if let connection = exchange.connection, exchange.phase == .forwarding {
            exchange.writeBody(body, to: connection)
            if exchange.retainsBody {
                exchange.keep(body)
            }
            if !connection.isWritable { holdReads() }
        } else {
            exchange.keep(body)
            if exchange.bufferedBytes > Self.connectBufferLimit { holdReads() }
        }
    }

    /// The handler is the pipeline's last: read completion goes no further.
    func channelReadComplete(context: ChannelHandlerContext) {
        if let connection = exchange?.connection { connection.flush() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            clock.stalledSince = nil
            exchange?.connection?.handler.resumeReads()
        } else if clock.stalledSince == nil {
            clock.stalledSince = .now()
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.logger.debug("client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: read gating (backpressure towards the client)

    func read(context: ChannelHandlerContext) {
        if readGate.read() { context.read() }
    }

    func holdReads() { readGate.hold() }

    func resumeReads() {
        guard readGate.isHeld else { return }
        clock.lastBodyAt = .now()
        if readGate.resume() { context.read() }
    }

    // MARK: timeouts

    /// Ticks sooner when the exchange's upstream has a read timeout shorter than they allow for.
    func tickSoonerIfNeeded() {
        guard tickInterval < tickEvery, let ticker else { return }
        ticker.cancel()
        scheduleTick()
    }

    private var tickInterval: TimeAmount {
        let limits = core.options.limits
        var shortest = min(limits.idleTimeout, limits.readTimeout, limits.writeTimeout)
        if let upstream = exchange?.upstream { shortest = min(shortest, upstream.readTimeout) }
        return min(max(.nanoseconds(shortest.nanoseconds / 4), .milliseconds(20)), .seconds(1))
    }

    private func scheduleTick() {
        tickEvery = tickInterval
        ticker = context.eventLoop.assumeIsolated().scheduleTask(in: tickEvery) { [weak self] in
            guard let self else { return }
            self.tick()
            if self.context.channel.isActive { self.scheduleTick() }
        }
    }

    /// Judges the connection's deadlines: a client not reading, idle keep-alive, a slow head,
    /// a stalled body, a slow upstream.
    private func tick() {
        let now = NIODeadline.now()
        let limits = core.options.limits
        if let stalled = clock.stalledSince, now - stalled >= limits.writeTimeout {
            core.metrics.writeTimeouts.increment()
            core.logger.debug("client took no response bytes in time; closing", metadata: ["client": "\(clientIP ?? "?")"])
            lifecycle = .closing
            clock.stalledSince = nil
            context.close(promise: nil)
            return
        }
        guard let exchange else {
            if let first = clock.firstByteAt {
                if now - first >= limits.readTimeout {
                    refuse(status: .requestTimeout, reason: "request head not received in time")
                }
            } else if now - clock.idleSince >= limits.idleTimeout, lifecycle != .closing {
                lifecycle = .closing
                context.close(promise: nil)
            }
            return
        }
        // A body gap only counts while the gateway is reading (not while it holds reads for backpressure).
        if !exchange.requestEnded && !readGate.isHeld && !exchange.responseStarted && exchange.phase != .finished
            && now - clock.lastBodyAt >= limits.readTimeout
        {
            refuseMidRequest(exchange, status: .requestTimeout, reason: "request body not received in time")
            return
        }
        guard exchange.phase == .forwarding, let upstream = exchange.upstream, let connection = exchange.connection
        else { return }
        // Time spent waiting on the client (for the rest of its body, or to take the response) is not the upstream's.
        let waitingOnClient = connection.handler.readsHeld
            || (!exchange.requestEnded && !exchange.responseStarted && connection.isWritable)
        if waitingOnClient { exchange.progress.moved() }
        // The upstream neither answers nor takes the body; mid-response this closes the client's connection.
        if exchange.progress.stalled(at: now) >= upstream.readTimeout {
            connection.fail(UpstreamTimeout())
            connection.close()
        }
    }
}

struct UpstreamTimeout: Error {}
