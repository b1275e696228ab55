import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP upstream inside the test process: answers every request with its own
/// name, the path and headers it saw (as response headers), and records each request.
final class TestUpstream: Sendable {
    struct Seen: Sendable {
        var head: HTTPRequestHead
        var bodyBytes: Int
    }

    let name: String
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    /// Answers with `status`; a request header `x-download: N` gets an N-byte streamed body,
    /// `x-delay-ms: N` an answer N milliseconds late.
    init(name: String, group: any EventLoopGroup, port: Int = 0, status: HTTPResponseStatus = .ok) async throws {
        self.name = name
        let recorder = Recorder()
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                recorder.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(name: name, status: status, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        self.recorder = recorder
    }

    private let recorder: Recorder

    var requests: [Seen] { recorder.all }
    /// Connections accepted so far.
    var children: [any Channel] { recorder.children }
    var count: Int { recorder.all.count }

    /// Stops listening and closes every open connection, like a crashed process.
    func close() async {
        try? await channel.close()
        for child in recorder.children { try? await child.close() }
    }

    final class Recorder: Sendable {
        private let items = Mutex<[Seen]>([])
        private let open = Mutex<[any Channel]>([])
        func track(_ channel: any Channel) { open.withLock { $0.append(channel) } }
        var children: [any Channel] { open.withLock { $0 } }
        func add(_ s: Seen) { items.withLock { $0.append(s) } }
        var all: [Seen] { items.withLock { $0 } }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let name: String
        let status: HTTPResponseStatus
        let recorder: Recorder
        var head: HTTPRequestHead?
        var bodyBytes = 0

        init(name: String, status: HTTPResponseStatus, recorder: Recorder) {
            self.name = name
            self.status = status
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                bodyBytes = 0
            case .body(let b):
                bodyBytes += b.readableBytes
            case .end:
                guard let head else { return }
                recorder.add(Seen(head: head, bodyBytes: bodyBytes))
                let body = "\(name) \(head.method.rawValue) \(head.uri) \(bodyBytes)"
                var headers = HTTPHeaders()
                headers.add(name: "x-upstream", value: name)
                headers.add(name: "content-length", value: String(body.utf8.count))
                if let big = head.headers.first(name: "x-download"), let size = Int(big) {
                    headers.replaceOrAdd(name: "content-length", value: String(size))
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                    stream(context: context, left: size)
                    return
                }
                let respond = {
                    context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: self.status, headers: headers))), promise: nil)
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                }
                if let delay = head.headers.first(name: "x-delay-ms").flatMap(Int64.init) {
                    context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay), respond)
                } else {
                    respond()
                }
            }
        }

        /// Streams `left` bytes, writing only while the channel is writable.
        private func stream(context: ChannelHandlerContext, left: Int) {
            var left = left
            let chunk = context.channel.allocator.buffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
            while left > 0 && context.channel.isWritable {
                let piece = chunk.getSlice(at: 0, length: min(left, chunk.readableBytes))!
                left -= piece.readableBytes
                context.write(wrapOutboundOut(.body(.byteBuffer(piece))), promise: nil)
            }
            if left == 0 {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            pendingStream = left
            context.flush()
        }

        var pendingStream = 0

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable && pendingStream > 0 {
                let left = pendingStream
                pendingStream = 0
                stream(context: context, left: left)
            }
        }
    }
}

/// An upstream that records the exact bytes it receives and answers each request head
/// it sees with fixed bytes (a 200 unless told otherwise); for checking what the gateway
/// forwards on the wire, and what it makes of a malformed response.
final class RawUpstream: Sendable {
    let channel: any Channel
    private let recorder: ByteRecorder
    var port: Int { channel.localAddress!.port! }

    /// Answers every request head with `response`; with `closes`, closes the connection after it.
    init(group: any EventLoopGroup, response: String = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nraw",
         closes: Bool = false) async throws {
        let recorder = ByteRecorder()
        self.recorder = recorder
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(recorder: recorder, response: response, closes: closes))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var received: String { recorder.text }

    func close() async { try? await channel.close() }

    final class ByteRecorder: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func add(_ b: [UInt8]) { bytes.withLock { $0 += b } }
        var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let recorder: ByteRecorder
        let response: String
        let closes: Bool
        var pending: [UInt8] = []

        init(recorder: ByteRecorder, response: String, closes: Bool) {
            self.recorder = recorder
            self.response = response
            self.closes = closes
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            recorder.add(bytes)
            pending += bytes
            // Answer once per complete head; bodies in these tests are small and sent with the head.
            while let end = headEnd(pending) {
                pending.removeSubrange(0..<end)
                let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)))
                if closes { written.whenComplete { _ in context.close(promise: nil) } }
            }
        }
    }
}

/// Where a request head at the front of `bytes` ends (past its empty line), if it is complete.
func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
        return i + 4
    }
    return nil
}
