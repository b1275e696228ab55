import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    var current: Value {
        get { update { $0 } }
        set { update { $0 = newValue } }
    }

    func update<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// An identity provider's JWKS endpoint on loopback: serves whatever keys the test
/// puts in it, counts the fetches, and can answer slowly.
final class TestJWKSServer: Sendable {
    let document = Locked(#"{"keys":[]}"#)
    let fetches = Locked(0)
    let delay = Locked(TimeAmount.zero)
    private let channel: any Channel

    init() throws {
        let document = document
        let fetches = fetches
        let delay = delay
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        JWKSHandler(document: document, fetches: fetches, delay: delay)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
    }

    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)/.well-known/jwks.json" }

    func serve(_ keys: [TestSigningKey]) {
        document.current = #"{"keys":["# + keys.map(\.jwkJSON).joined(separator: ",") + "]}"
    }

    func stop() throws {
        try channel.close().wait()
    }
}

private final class JWKSHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let document: Locked<String>
    let fetches: Locked<Int>
    let delay: Locked<TimeAmount>

    init(document: Locked<String>, fetches: Locked<Int>, delay: Locked<TimeAmount>) {
        self.document = document
        self.fetches = fetches
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        fetches.update { $0 += 1 }
        let body = document.current
        let bound = NIOLoopBound((context, self), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: delay.current) {
            let (context, handler) = bound.value
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Connection", value: "close")
            context.write(handler.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(handler.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(handler.wrapOutboundOut(.end(nil))).whenComplete { _ in
                bound.value.0.close(promise: nil)
            }
        }
    }
}
