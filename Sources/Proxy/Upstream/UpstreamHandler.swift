import NIOCore
import NIOHTTP1

/// Receives what one upstream connection delivers for the exchange that holds it.
protocol UpstreamResponseSink: AnyObject {
    func upstreamInterim(_ head: ResponseHead, options: ConnectionOptions, from connection: UpstreamConnection)
    func upstreamHead(_ head: ResponseHead, framing: BodyDecoder.Framing, options: ConnectionOptions,
                      from connection: UpstreamConnection)
    func upstreamBody(_ body: ByteBuffer, from connection: UpstreamConnection)
    func upstreamEnd(from connection: UpstreamConnection)
    func upstreamReadComplete(from connection: UpstreamConnection)
    func upstreamWritabilityChanged(_ writable: Bool, from connection: UpstreamConnection)
    func upstreamFailed(_ error: any Error, from connection: UpstreamConnection)
}

extension UpstreamResponseSink {
    /// Interim responses are passed over unless a sink forwards them.
    func upstreamInterim(_ head: ResponseHead, options: ConnectionOptions, from connection: UpstreamConnection) {}
}

/// The only handler of an upstream connection: reads responses from its bytes
/// (``ResponseReader``), hands them to the current sink, and holds reads while the client
/// cannot take more (backpressure).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Set once the connection is established; released when the channel closes.
    var connection: UpstreamConnection?
    var reader: ResponseReader
    private var readGate = ReadGate()
    private(set) var context: ChannelHandlerContext?

    init(headLimit: Int, fieldLimit: Int) {
        reader = ResponseReader(headLimit: headLimit, fieldLimit: fieldLimit)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else {
            context.close(promise: nil)
            return
        }
        reader.append(unwrapInboundIn(data))
        do {
            while let event = try reader.next() {
                guard let sink = connection.sink else { break }
                // Consumed: the head and body are moved to the sink, not copied out of the event.
                switch consume event {
                case .interim(let head, let options):
                    sink.upstreamInterim(head, options: options, from: connection)
                case .head(let head, let framing, let options):
                    connection.receivedBytes = true
                    sink.upstreamHead(head, framing: framing, options: options, from: connection)
                case .body(let body): sink.upstreamBody(body, from: connection)
                case .end: sink.upstreamEnd(from: connection)
                }
            }
        } catch {
            connection.fail(error)
            context.close(promise: nil)
            return
        }
        // Bytes nobody asked for (on an idle connection, or after a complete response): it cannot be reused.
        if reader.hasUnsolicitedBytes { context.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let connection { connection.sink?.upstreamReadComplete(from: connection) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let connection { connection.sink?.upstreamWritabilityChanged(context.channel.isWritable, from: connection) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A body without a length ends with the connection.
        if reader.isReadingUntilClose, let connection, let sink = connection.sink {
            sink.upstreamEnd(from: connection)
        }
        connection?.closed()
        connection = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection?.fail(error)
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readGate.read() { context.read() }
    }

    func holdReads() { readGate.hold() }

    /// Reads are held because the client is not taking the response: the upstream is not the one stalling.
    var readsHeld: Bool { readGate.isHeld }

    func resumeReads() {
        if readGate.resume(), let context { context.read() }
    }
}
