import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The gossip port: UDP for the protocol, TCP on the same port for push-pull streams and
/// peer sessions.
///
/// Bytes in and out are already sealed envelopes; this type knows nothing of keys or of
/// the protocol. Inbound callbacks run on the channel's event loop.
public final class GossipTransport: Sendable {
    public typealias DatagramHandler = @Sendable (_ bytes: [UInt8], _ from: SocketAddress) -> Void
    /// Serves the first frame of an inbound stream; nil closes the stream unanswered.
    public typealias StreamHandler = @Sendable (_ frame: [UInt8], _ from: SocketAddress) -> EventLoopFuture<StreamAnswer?>
    public typealias RefusalHandler = @Sendable (_ from: SocketAddress?, _ reason: String) -> Void

    public let udp: any Channel
    public let tcp: any Channel
    public let limits: StreamLimits
    private let group: any EventLoopGroup
    private let accepted: AcceptedConnections

    /// The port both listeners are bound to (useful when binding port 0).
    public var port: Int { udp.localAddress?.port ?? 0 }

    private init(udp: any Channel, tcp: any Channel, limits: StreamLimits, group: any EventLoopGroup,
                 accepted: AcceptedConnections) {
        self.udp = udp
        self.tcp = tcp
        self.limits = limits
        self.group = group
        self.accepted = accepted
    }

    /// Binds both listeners on `group`; accepted TCP connections live on `connectionGroup`
    /// (the gateway's loops on a worker, so that peer sessions stay off the gossip loop).
    /// With port 0 the kernel picks the UDP port, and TCP takes the same number; when TCP has
    /// it in use already, another pick is tried.
    public static func bind(
        host: String, port: Int, group: any EventLoopGroup, connectionGroup: (any EventLoopGroup)? = nil,
        limits: StreamLimits = StreamLimits(),
        onDatagram: @escaping DatagramHandler, onStream: @escaping StreamHandler, onRefused: @escaping RefusalHandler
    ) async throws -> GossipTransport {
        var attempts = port == 0 ? 8 : 1
        while true {
            attempts -= 1
            do {
                return try await bindOnce(
                    host: host, port: port, group: group, connectionGroup: connectionGroup, limits: limits,
                    onDatagram: onDatagram, onStream: onStream, onRefused: onRefused)
            } catch let error as IOError where error.errnoCode == EADDRINUSE && attempts > 0 {
                continue
            }
        }
    }

    private static func bindOnce(
        host: String, port: Int, group: any EventLoopGroup, connectionGroup: (any EventLoopGroup)?,
        limits: StreamLimits,
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
        let streams = ConnectionCount(limit: limits.maxConnections)
        let sessions = ConnectionCount(limit: limits.maxSessions)
        let accepted = AcceptedConnections()
        do {
            let tcp = try await ServerBootstrap(group: group, childGroup: connectionGroup ?? group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let slot = streams.acquire(closing: channel) else {
                            onRefused(channel.remoteAddress, "connection limit of \(limits.maxConnections) reached")
                            channel.close(promise: nil)
                            return
                        }
                        accepted.insert(channel)
                        let reader = FrameReader(maxFrameBytes: limits.maxFrameBytes)
                        try channel.pipeline.syncOperations.addHandlers([
                            reader,
                            StreamServerHandler(
                                readTimeout: limits.readTimeout, reader: reader, slot: slot, sessions: sessions,
                                onStream: onStream, onRefused: onRefused),
                        ])
                    }
                }
                .bind(host: host, port: boundPort).get()
            return GossipTransport(udp: udp, tcp: tcp, limits: limits, group: group, accepted: accepted)
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

    /// Closes both listeners and every connection they accepted (streams and peer sessions).
    public func close() async {
        try? await udp.close()
        try? await tcp.close()
        for channel in accepted.all() { try? await channel.close() }
    }
}

/// What the first frame of an inbound stream gets.
public enum StreamAnswer: Sendable {
    /// One reply frame, then the stream closes.
    case reply([UInt8])
    /// One reply frame, then the stream carries a peer session until either side closes it.
    case session(reply: [UInt8], PeerSessionServer)
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
