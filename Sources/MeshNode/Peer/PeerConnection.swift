import Gossip
import NIOCore
import NIOPosix

/// One pooled connection to a peer: its session's life, and the requests in flight on it.
/// Confined to its loop (`LoopLinks`).
final class PeerConnection: @unchecked Sendable {
    private enum State {
        /// TCP connecting; requests wait (their ids, in order).
        case connecting(waiting: [UInt32])
        /// The opening sent under `token`; requests wait for the acceptance.
        case opening(any Channel, token: UInt64, waiting: [UInt32])
        case open(any Channel, SessionCipher)
        case ended
    }

    private struct Pending {
        let promise: EventLoopPromise<[UInt8]>
        let deadline: Scheduled<Void>
        /// Kept until the request is written.
        var body: [UInt8]
    }

    let peer: NodeAddress
    private let links: LoopLinks
    private var loop: any EventLoop { links.loop }
    private var state = State.connecting(waiting: [])
    private var inFlight: [UInt32: Pending] = [:]
    private var nextID: UInt32 = 0
    private var idle: Scheduled<Void>?
    private var openTimeout: Scheduled<Void>?

    init(peer: NodeAddress, links: LoopLinks) {
        self.peer = peer
        self.links = links
    }

    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    func submit(_ body: [UInt8], deadline: NIODeadline) -> EventLoopFuture<[UInt8]> {
        guard inFlight.count < links.settings.maxInFlight else {
            return loop.makeFailedFuture(PeerLinkError.tooManyInFlight(limit: links.settings.maxInFlight))
        }
        idle?.cancel()
        idle = nil
        while inFlight[nextID] != nil { nextID &+= 1 }
        let id = nextID
        nextID &+= 1
        let promise = loop.makePromise(of: [UInt8].self)
        let timer = loop.scheduleTask(deadline: deadline) { [self] in finish(id, .failure(PeerLinkError.deadlineExceeded)) }
        inFlight[id] = Pending(promise: promise, deadline: timer, body: body)
        switch state {
        case .connecting(var waiting):
            waiting.append(id)
            state = .connecting(waiting: waiting)
        case .opening(let channel, let token, var waiting):
            waiting.append(id)
            state = .opening(channel, token: token, waiting: waiting)
        case .open(let channel, var cipher):
            write(id, on: channel, cipher: &cipher)
            state = .open(channel, cipher)
        case .ended:
            finish(id, .failure(PeerLinkError.connectionLost("connection ended")))
        }
        return promise.futureResult
    }

    func connect(to socket: SocketAddress) {
        let settings = links.settings
        ClientBootstrap(group: loop)
            .connectTimeout(settings.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        FrameReader(maxFrameBytes: settings.maxFrameBytes),
                        SessionClientHandler(connection: self),
                    ])
                }
            }
            .connect(to: socket)
            .whenFailure { [self] error in end(.connectionLost("connect: \(error)")) }
    }

    /// The TCP connection is up: ask the peer to open a session.
    func connected(_ channel: any Channel) {
        guard case .connecting(let waiting) = state else {
            channel.close(promise: nil)
            return
        }
        let token = UInt64.random(in: .min ... .max)
        state = .opening(channel, token: token, waiting: waiting)
        let opening = StreamRequest.openSession(SessionOpening(token: token, asker: links.localAddress))
        let sealed = links.keys.seal(opening.bytes, channel: .stream)
        channel.writeAndFlush(StreamFrame.encode(sealed, allocator: channel.allocator), promise: nil)
        openTimeout = loop.scheduleTask(in: links.settings.openTimeout) { [self] in
            end(.connectionLost("the peer did not accept the session in time"))
        }
    }

    func received(_ bytes: [UInt8]) {
        switch state {
        case .opening(let channel, let token, let waiting):
            guard let plain = try? links.keys.open(bytes, channel: .stream),
                  let acceptance = SessionAcceptance(plain), acceptance.askerToken == token else {
                end(.sessionRefused)
                return
            }
            openTimeout?.cancel()
            links.opened(peer)
            var cipher = SessionCipher(keys: links.keys, ownToken: token, peerToken: acceptance.answererToken)
            for id in waiting where inFlight[id] != nil { write(id, on: channel, cipher: &cipher) }
            state = .open(channel, cipher)
            idleIfQuiet()
        case .open(let channel, var cipher):
            let frame: SessionFrame
            do { frame = try cipher.open(bytes) } catch {
                end(.connectionLost("\(error)"))
                return
            }
            state = .open(channel, cipher)
            switch frame.kind {
            case .reply: finish(frame.id, .success(frame.body))
            case .failed: finish(frame.id, .failure(PeerLinkError.peerFailed(String(decoding: frame.body, as: UTF8.self))))
            case .busy: finish(frame.id, .failure(PeerLinkError.peerBusy))
            case .request: end(.connectionLost("the peer sent a request on our session"))
            }
        case .connecting, .ended:
            break
        }
    }

    /// Ends the connection: every request in flight fails with `error`, and the pool forgets it.
    func end(_ error: PeerLinkError) {
        let channel: (any Channel)?
        switch state {
        case .ended: return
        case .connecting: channel = nil
        case .opening(let open, _, _), .open(let open, _): channel = open
        }
        let opened = isOpen
        state = .ended
        idle?.cancel()
        openTimeout?.cancel()
        links.ended(self, opened: opened)
        let failed = inFlight
        inFlight = [:]
        for pending in failed.values {
            pending.deadline.cancel()
            pending.promise.fail(error)
        }
        channel?.close(promise: nil)
    }

    /// The channel closed (by the peer, a failure, or `end`).
    func closed(reason: String?) {
        if case .opening = state {
            end(.sessionRefused)
        } else {
            end(.connectionLost(reason ?? "closed by the peer"))
        }
    }

    private func write(_ id: UInt32, on channel: any Channel, cipher: inout SessionCipher) {
        guard let body = inFlight[id]?.body else { return }
        inFlight[id]?.body = []
        let sealed = cipher.seal(.request, id: id, body: body)
        channel.writeAndFlush(StreamFrame.encode(sealed, allocator: channel.allocator), promise: nil)
    }

    private func finish(_ id: UInt32, _ result: Result<[UInt8], any Error>) {
        guard let pending = inFlight.removeValue(forKey: id) else { return }
        pending.deadline.cancel()
        pending.promise.completeWith(result)
        idleIfQuiet()
    }

    private func idleIfQuiet() {
        guard inFlight.isEmpty, case .open = state, idle == nil else { return }
        idle = loop.scheduleTask(in: links.settings.idleTimeout) { [self] in
            idle = nil
            if inFlight.isEmpty { end(.connectionLost("idle")) }
        }
    }
}

/// Passes a pooled connection's frames and its end to its `PeerConnection`.
final class SessionClientHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let connection: PeerConnection
    private var failure: String?

    init(connection: PeerConnection) { self.connection = connection }

    func channelActive(context: ChannelHandlerContext) {
        connection.connected(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.received(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed(reason: failure)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure = "\(error)"
        context.close(promise: nil)
    }
}
