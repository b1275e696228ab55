import NIOCore

/// The answering side of a peer session: opens each request frame, hands its body to the
/// node's handler, and writes the replies in the order they complete, each with its request's
/// id. A frame that does not open, or is not a request, closes the session; so does idleness
/// past `idleTimeout`.
final class SessionServerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private var server: PeerSessionServer
    private var inFlight = 0
    private var lastFrame = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?

    init(server: PeerSessionServer) { self.server = server }

    func handlerAdded(context: ChannelHandlerContext) { checkIdle(at: lastFrame + server.idleTimeout, context: context) }

    func handlerRemoved(context: ChannelHandlerContext) { idleCheck?.cancel() }

    private func checkIdle(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            let due = handler.lastFrame + handler.server.idleTimeout
            if due > .now() {
                handler.checkIdle(at: due, context: context)
            } else if handler.inFlight > 0 {
                handler.checkIdle(at: .now() + handler.server.idleTimeout, context: context)
            } else {
                context.close(promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastFrame = .now()
        let frame: SessionFrame
        do { frame = try server.cipher.open(unwrapInboundIn(data)) } catch {
            refuse(error, context: context)
            return
        }
        guard frame.kind == .request else {
            refuse(.malformed, context: context)
            return
        }
        guard inFlight < server.maxInFlight else {
            server.onAnswered(false)
            write(.busy, id: frame.id, body: [], context: context)
            return
        }
        inFlight += 1
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        server.handler(frame.body, server.asker).hop(to: context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            handler.inFlight -= 1
            handler.server.onAnswered(true)
            guard context.channel.isActive else { return }
            switch result {
            case .success(let reply):
                handler.write(.reply, id: frame.id, body: reply, context: context)
            case .failure(let error):
                handler.write(.failed, id: frame.id, body: Array("\(error)".utf8), context: context)
            }
        }
    }

    private func refuse(_ refusal: SessionCipher.Refusal, context: ChannelHandlerContext) {
        server.onRefused(refusal)
        context.close(promise: nil)
    }

    private func write(_ kind: SessionFrame.Kind, id: UInt32, body: [UInt8], context: ChannelHandlerContext) {
        var (kind, body) = (kind, body)
        if body.count > SessionFrame.maxBodyBytes(inFrameOf: server.maxFrameBytes) {
            (kind, body) = (.failed, Array("reply of \(body.count) bytes exceeds the session frame limit".utf8))
        }
        let sealed = server.cipher.seal(kind, id: id, body: body)
        context.writeAndFlush(wrapOutboundOut(StreamFrame.encode(sealed, allocator: context.channel.allocator)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tooLarge = error as? FrameTooLarge {
            server.onRefused(.frameTooLarge(bytes: tooLarge.length, limit: tooLarge.limit))
        }
        context.close(promise: nil)
    }
}
