import NIOCore

/// The answering side of a stream: its first frame goes to the node, whose answer is one
/// reply frame (then the stream closes) or the acceptance of a peer session (then the
/// connection is handed to a `SessionServerHandler`).
final class StreamServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingFrame
        case answering
    }

    private let readTimeout: TimeAmount
    private let reader: FrameReader
    private let slot: ConnectionSlot
    private let sessions: ConnectionCount
    private let onStream: GossipTransport.StreamHandler
    private let onRefused: GossipTransport.RefusalHandler
    private var timeout: Scheduled<Void>?
    private var state = State.awaitingFrame

    init(readTimeout: TimeAmount, reader: FrameReader, slot: ConnectionSlot, sessions: ConnectionCount,
         onStream: @escaping GossipTransport.StreamHandler, onRefused: @escaping GossipTransport.RefusalHandler) {
        self.readTimeout = readTimeout
        self.reader = reader
        self.slot = slot
        self.sessions = sessions
        self.onStream = onStream
        self.onRefused = onRefused
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let onRefused = self.onRefused
        timeout = context.eventLoop.scheduleTask(in: readTimeout) {
            let context = loopBound.value
            onRefused(context.channel.remoteAddress, "read timeout")
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .awaitingFrame = state, let remote = context.channel.remoteAddress else { return }
        state = .answering
        let frame = unwrapInboundIn(data)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        onStream(frame, remote).hop(to: context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success(.reply(let reply)):
                let channel = context.channel
                context.writeAndFlush(handler.wrapOutboundOut(StreamFrame.encode(reply, allocator: channel.allocator)))
                    .whenComplete { _ in channel.close(promise: nil) }
            case .success(.session(let reply, let server)):
                handler.beginSession(server, reply: reply, context: context)
            case .success(nil), .failure:
                context.close(promise: nil)
            }
        }
    }

    /// Moves the connection from the stream count to the session count, and hands it to a
    /// `SessionServerHandler` after the acceptance is written.
    private func beginSession(_ server: PeerSessionServer, reply: [UInt8], context: ChannelHandlerContext) {
        timeout?.cancel()
        slot.release()
        guard sessions.acquire(closing: context.channel) != nil else {
            onRefused(context.channel.remoteAddress, "peer session limit of \(sessions.limit) reached")
            context.close(promise: nil)
            return
        }
        reader.maxFrameBytes = server.maxFrameBytes
        context.writeAndFlush(wrapOutboundOut(StreamFrame.encode(reply, allocator: context.channel.allocator)), promise: nil)
        do {
            try context.pipeline.syncOperations.addHandler(SessionServerHandler(server: server), position: .after(self))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        onRefused(context.channel.remoteAddress, "\(error)")
        context.close(promise: nil)
    }
}
