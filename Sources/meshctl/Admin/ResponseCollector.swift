import NIOCore
import NIOHTTP1

/// Gathers one HTTP response and completes the promise with it, or with the first error.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<AdminResponse>
    private var status = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<AdminResponse>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            promise.succeed(AdminResponse(status: status, body: body))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(AdminTransportError.closedEarly)
        context.fireChannelInactive()
    }
}

enum AdminTransportError: Error {
    case closedEarly
    case timedOut
}
