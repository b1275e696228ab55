import NIOCore

/// Timestamps of one client connection that its timeouts are judged by.
final class ConnectionClock {
    var awaitingHead = true
    /// When the first byte of the next request arrived while waiting for it.
    var firstByteAt: NIODeadline?
    var idleSince = NIODeadline.now()
    var lastBodyAt = NIODeadline.now()
}

/// First in the pipeline: notes when a new request starts arriving, so a head that
/// trickles in too slowly is answered 408 rather than waited on forever.
final class RawBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: ConnectionClock
    private var context: ChannelHandlerContext?

    init(clock: ConnectionClock) { self.clock = clock }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Sends bytes under the HTTP handlers and closes: for answers to input those handlers
    /// never accepted as a request (a malformed or timed-out head).
    func writeFinalAndClose(_ bytes: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapInboundOut(bytes)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if clock.awaitingHead && clock.firstByteAt == nil { clock.firstByteAt = .now() }
        context.fireChannelRead(data)
    }
}
