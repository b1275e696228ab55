import NIOCore

/// Limits on the TCP side of the gossip port (push-pull and bulk transfers).
public struct StreamLimits: Sendable {
    /// The largest request frame a node serves; a larger length prefix closes the connection.
    public var maxFrameBytes: Int = 4 << 20
    /// The largest reply frame a node reads (a whole config bundle fits).
    public var maxReplyBytes: Int = 64 << 20
    /// Connections served at once; one more is closed at accept. A connection that becomes a
    /// peer session leaves this count for `maxSessions`.
    public var maxConnections: Int = 64
    /// Peer sessions served at once; a session opened beyond it is closed.
    public var maxSessions: Int = 512
    /// The largest frame either side of a peer session sends or reads, once the session is open
    /// (a cached response of the largest stored size fits).
    public var maxSessionFrameBytes: Int = 16 << 20
    /// Requests of one peer session being answered at once; one more is answered `busy`.
    public var maxSessionInFlight: Int = 1024
    /// A peer session with nothing in flight and no frame for this long is closed: its asker
    /// closes idle sessions sooner (`PeerLinks.Settings.idleTimeout`), so this one was lost.
    public var sessionIdleTimeout: TimeAmount = .seconds(120)
    /// Time to receive a whole frame (or reply) before the connection is closed.
    public var readTimeout: TimeAmount = .seconds(5)
    public var connectTimeout: TimeAmount = .seconds(2)

    public init() {}
}

/// Every stream carries length-prefixed frames: a 4-byte big-endian length, then the sealed bytes.
enum StreamFrame {
    static func encode(_ bytes: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 4 + bytes.count)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }
}

struct FrameTooLarge: Error, CustomStringConvertible {
    let length: Int
    let limit: Int
    var description: String { "stream frame of \(length) bytes exceeds the \(limit)-byte limit" }
}

/// Collects length-prefixed frames and passes each on as `[UInt8]`.
final class FrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = [UInt8]

    /// Raised when a stream becomes a peer session, whose frames have a limit of their own.
    var maxFrameBytes: Int
    private var buffer: ByteBuffer?

    init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        while let length = buffer!.getInteger(at: buffer!.readerIndex, as: UInt32.self) {
            guard Int(length) <= maxFrameBytes else {
                context.fireErrorCaught(FrameTooLarge(length: Int(length), limit: maxFrameBytes))
                buffer!.clear()
                return
            }
            guard buffer!.readableBytes >= 4 + Int(length) else { break }
            buffer!.moveReaderIndex(forwardBy: 4)
            let frame = buffer!.readBytes(length: Int(length))!
            context.fireChannelRead(wrapInboundOut(frame))
            // A handler may have closed the channel on that frame.
            guard context.channel.isActive else {
                buffer = nil
                return
            }
        }
        buffer!.discardReadBytes()
    }
}
