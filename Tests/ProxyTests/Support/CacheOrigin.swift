import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An origin whose answer to each request is decided by the test: status, fields and body,
/// optionally after a delay. It records every request head it answered.
final class CacheOrigin: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = []
        var body: String = ""
        var delay: TimeAmount = .zero
    }

    typealias Script = @Sendable (_ index: Int, _ head: HTTPRequestHead) -> Answer

    let channel: any Channel
    private let state: State
    var port: Int { channel.localAddress!.port! }

    private final class State: Sendable {
        let script: Mutex<Script>
        let seen = Mutex<[HTTPRequestHead]>([])
        init(_ script: @escaping Script) { self.script = Mutex(script) }
    }

    init(group: any EventLoopGroup, script: @escaping Script) async throws {
        let state = State(script)
        self.state = state
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler { head in
                        let index = state.seen.withLock { list in
                            list.append(head)
                            return list.count - 1
                        }
                        return state.script.withLock { $0 }(index, head)
                    })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Request heads answered so far, in order.
    var requests: [HTTPRequestHead] { state.seen.withLock { $0 } }
    var count: Int { requests.count }

    func answer(with script: @escaping Script) { state.script.withLock { $0 = script } }

    func close() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let decide: @Sendable (HTTPRequestHead) -> Answer
        var head: HTTPRequestHead?

        init(decide: @escaping @Sendable (HTTPRequestHead) -> Answer) { self.decide = decide }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                let answer = decide(head)
                let send = { [context] in
                    var headers = HTTPHeaders(answer.headers)
                    let bodyless = head.method == .HEAD || answer.status == .notModified || answer.status == .noContent
                    if !bodyless { headers.replaceOrAdd(name: "content-length", value: String(answer.body.utf8.count)) }
                    context.write(NIOAny(HTTPServerResponsePart.head(
                        HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
                    if !bodyless {
                        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
                    }
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
                }
                if answer.delay == .zero {
                    send()
                } else {
                    context.eventLoop.assumeIsolated().scheduleTask(in: answer.delay) { send() }
                }
            }
        }
    }
}
