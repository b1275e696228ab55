import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The gossip port: UDP for the protocol, TCP on the same port for push-pull streams.
///
/// Bytes in and out are already sealed envelopes; this type knows nothing of keys or of
/// the protocol. Inbound callbacks run on the channel's event loop.
public final class GossipTransport: Sendable {
    public typealias DatagramHandler = @Sendable (_ bytes: [UInt8], _ from: SocketAddress) -> Void
    /// Serves one inbound stream frame; the returned bytes (if any) are the reply frame.
    public typealias StreamHandler = @Sendable (_ frame: [UInt8], _ from: SocketAddress) -> EventLoopFuture<[UInt8]?>
    public typealias RefusalHandler = @Sendable (_ from: SocketAddress?, _ reason: String) -> Void

    public let udp: any Channel
    public let tcp: any Channel
    public let limits: StreamLimits
    private let group: any EventLoopGroup

    /// The port both listeners are bound to (useful when binding port 0).
    public var port: Int { udp.localAddress?.port ?? 0 }

    private init(udp: any Channel, tcp: any Channel, limits: StreamLimits, group: any EventLoopGroup) {
        self.udp = udp
        self.tcp = tcp
        self.limits = limits
        self.group = group
    }

    public static func bind(
        host: String, port: Int, group: any EventLoopGroup, limits: StreamLimits = StreamLimits(),
        onDatagram: @escaping DatagramHandler, onStream: @escaping StreamHandler, onRefused: @escaping RefusalHandler
    ) async throws -> GossipTransport {
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramReader(onDatagram: onDatagram))
                }
            }
            .bind(host: host, port: port).get()
        let boundPort = udp.localAddress?.port ?? port
        let open = ConnectionCount()
        do {
            let tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard open.acquire(limit: limits.maxConnections) else {
                            onRefused(channel.remoteAddress, "connection limit of \(limits.maxConnections) reached")
                            channel.close(promise: nil)
                            return
                        }
                        channel.closeFuture.whenComplete { _ in open.release() }
                        try channel.pipeline.syncOperations.addHandlers([
                            FrameReader(maxFrameBytes: limits.maxFrameBytes),
                            StreamServerHandler(readTimeout: limits.readTimeout, onStream: onStream, onRefused: onRefused),
                        ])
                    }
                }
                .bind(host: host, port: boundPort).get()
            return GossipTransport(udp: udp, tcp: tcp, limits: limits, group: group)
        } catch {
            try? await udp.close()
            throw error
        }
    }

    public func send(_ bytes: [UInt8], to address: SocketAddress) {
        let buffer = udp.allocator.buffer(bytes: bytes)
        udp.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }

    /// Opens a stream, sends one frame, and returns the peer's reply frame.
    public func exchange(_ frame: [UInt8], with address: SocketAddress) -> EventLoopFuture<[UInt8]> {
        let loop = udp.eventLoop
        let reply = loop.makePromise(of: [UInt8].self)
        let limits = self.limits
        ClientBootstrap(group: loop)
            .connectTimeout(limits.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        FrameReader(maxFrameBytes: limits.maxReplyBytes),
                        StreamClientHandler(request: frame, readTimeout: limits.readTimeout, reply: reply),
                    ])
                }
            }
            .connect(to: address)
            .whenFailure { reply.fail($0) }
        return reply.futureResult
    }

    public func close() async {
        try? await udp.close()
        try? await tcp.close()
    }
}

private final class ConnectionCount: Sendable {
    private let value = Atomic<Int>(0)

    func acquire(limit: Int) -> Bool {
        let now = value.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            value.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() { value.wrappingSubtract(1, ordering: .relaxed) }
}

private final class DatagramReader: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let onDatagram: GossipTransport.DatagramHandler

    init(onDatagram: @escaping GossipTransport.DatagramHandler) { self.onDatagram = onDatagram }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onDatagram(Array(envelope.data.readableBytesView), envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP "port unreachable" from a dead peer surfaces here; the protocol already
        // treats the missing reply as a failed probe, so the socket stays open.
    }
}

private final class StreamServerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private let readTimeout: TimeAmount
    private let onStream: GossipTransport.StreamHandler
    private let onRefused: GossipTransport.RefusalHandler
    private var timeout: Scheduled<Void>?
    private var served = false

    init(readTimeout: TimeAmount, onStream: @escaping GossipTransport.StreamHandler,
         onRefused: @escaping GossipTransport.RefusalHandler) {
        self.readTimeout = readTimeout
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
        guard !served, let remote = context.channel.remoteAddress else { return }
        served = true
        let frame = unwrapInboundIn(data)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        onStream(frame, remote).hop(to: context.eventLoop).whenComplete { result in
            let context = loopBound.value
            switch result {
            case .success(let reply?):
                let buffer = StreamFrame.encode(reply, allocator: context.channel.allocator)
                let channel = context.channel
                context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
            case .success(nil), .failure:
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        onRefused(context.channel.remoteAddress, "\(error)")
        context.close(promise: nil)
    }
}

private final class StreamClientHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private let request: [UInt8]
    private let readTimeout: TimeAmount
    private let reply: EventLoopPromise<[UInt8]>
    private var timeout: Scheduled<Void>?

    struct Timeout: Error, CustomStringConvertible {
        var description: String { "no reply before the read timeout" }
    }
    struct ClosedEarly: Error, CustomStringConvertible {
        var description: String { "peer closed the stream without a reply" }
    }

    init(request: [UInt8], readTimeout: TimeAmount, reply: EventLoopPromise<[UInt8]>) {
        self.request = request
        self.readTimeout = readTimeout
        self.reply = reply
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let reply = self.reply
        timeout = context.eventLoop.scheduleTask(in: readTimeout) {
            reply.fail(Timeout())
            loopBound.value.close(promise: nil)
        }
        context.writeAndFlush(NIOAny(StreamFrame.encode(request, allocator: context.channel.allocator)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        timeout?.cancel()
        reply.succeed(unwrapInboundIn(data))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        reply.fail(ClosedEarly())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        reply.fail(error)
        context.close(promise: nil)
    }
}
