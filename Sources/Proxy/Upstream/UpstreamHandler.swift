import NIOCore
import NIOHTTP1

/// Receives what one upstream connection delivers for the exchange that holds it.
protocol UpstreamResponseSink: AnyObject {
    func upstreamHead(_ head: HTTPResponseHead, from connection: UpstreamConnection)
    func upstreamBody(_ body: ByteBuffer, from connection: UpstreamConnection)
    func upstreamEnd(from connection: UpstreamConnection)
    func upstreamReadComplete(from connection: UpstreamConnection)
    func upstreamWritabilityChanged(_ writable: Bool, from connection: UpstreamConnection)
    func upstreamFailed(_ error: any Error, from connection: UpstreamConnection)
}

/// The last handler of an upstream connection: forwards response parts to the current
/// sink and holds reads while the client cannot take more (backpressure).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// Set once the connection is established; released when the channel closes.
    var connection: UpstreamConnection?
    private var readGate = ReadGate()
    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection, let sink = connection.sink else {
            // A response nobody asked for on an idle connection: it cannot be reused.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            connection.receivedBytes = true
            sink.upstreamHead(head, from: connection)
        case .body(let body): sink.upstreamBody(body, from: connection)
        case .end: sink.upstreamEnd(from: connection)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let connection { connection.sink?.upstreamReadComplete(from: connection) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let connection { connection.sink?.upstreamWritabilityChanged(context.channel.isWritable, from: connection) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.closed()
        connection = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection?.fail(error)
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) { readGate.read(context) }

    func holdReads() { readGate.hold() }

    func resumeReads() { readGate.resume(context) }
}
