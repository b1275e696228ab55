import Foundation
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An upstream whose answer to each request is scripted: answered (at once, late, or when
/// the test releases it), closed (FIN) or reset (RST) after reading it, or never answered.
/// It records every complete request line it read and every connection it accepted.
final class ScriptedUpstream: Sendable {
    enum Action: Sendable {
        case respond
        case respondAfter(TimeAmount)
        /// Answered when the test calls `releaseHeld()`.
        case hold
        /// Reads the request, then closes the connection without a byte of answer.
        case close
        /// Reads the request, then resets the connection (SO_LINGER 0).
        case reset
        /// Reads the request and never answers; the connection stays open.
        case silent
    }

    /// Decides the answer from the request's index on its connection (0 for the first)
    /// and its request line.
    typealias Script = @Sendable (_ indexOnConnection: Int, _ requestLine: String) -> Action

    let name: String
    let channel: any Channel
    private let state: State
    var port: Int { channel.localAddress!.port! }

    init(name: String, group: any EventLoopGroup, port: Int = 0, script: @escaping Script = { _, _ in .respond }) async throws {
        self.name = name
        let state = State()
        self.state = state
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.accepted(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(name: name, script: script, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    /// Request lines read in full ("GET /path"), in order.
    var seen: [String] { state.seen.withLock { $0 } }
    /// Connections accepted so far.
    var connections: [any Channel] { state.children.withLock { $0 } }
    var openConnections: Int { connections.filter(\.isActive).count }
    var heldCount: Int { state.held.withLock { $0.count } }

    /// Answers every held request now.
    func releaseHeld() {
        let held = state.held.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for (channel, response) in held {
            channel.writeAndFlush(channel.allocator.buffer(string: response), promise: nil)
        }
    }

    func close() async {
        try? await channel.close()
        for child in connections { try? await child.close() }
    }

    private final class State: Sendable {
        let seen = Mutex<[String]>([])
        let children = Mutex<[any Channel]>([])
        let held = Mutex<[(any Channel, String)]>([])
        func accepted(_ channel: any Channel) { children.withLock { $0.append(channel) } }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let name: String
        let script: Script
        let state: State
        var pending: [UInt8] = []
        var index = 0
        var done = false

        init(name: String, script: @escaping Script, state: State) {
            self.name = name
            self.script = script
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !done else { return }
            var buffer = unwrapInboundIn(data)
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            while !done, let (line, length) = nextRequest() {
                pending.removeFirst(length)
                state.seen.withLock { $0.append(line) }
                let action = script(index, line)
                index += 1
                act(action, line: line, context: context)
            }
        }

        /// A complete request at the front of `pending`: its "METHOD /path" and its length in bytes.
        private func nextRequest() -> (String, Int)? {
            guard let end = headEnd(pending) else { return nil }
            let head = String(decoding: pending[..<end], as: UTF8.self)
            var bodyLength = 0
            for field in head.components(separatedBy: "\r\n") {
                let parts = field.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "content-length" {
                    bodyLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            guard pending.count >= end + bodyLength else { return nil }
            let requestLine = head.prefix { $0 != "\r" }.split(separator: " ")
            return (requestLine.prefix(2).joined(separator: " "), end + bodyLength)
        }

        private func response(for line: String) -> String {
            let body = "\(name) \(line)"
            return "HTTP/1.1 200 OK\r\ncontent-length: \(body.utf8.count)\r\nx-upstream: \(name)\r\n\r\n\(body)"
        }

        private func act(_ action: Action, line: String, context: ChannelHandlerContext) {
            let response = response(for: line)
            switch action {
            case .respond:
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
            case .respondAfter(let delay):
                let channel = context.channel
                channel.eventLoop.scheduleTask(in: delay) {
                    channel.writeAndFlush(channel.allocator.buffer(string: response), promise: nil)
                }
            case .hold:
                state.held.withLock { $0.append((context.channel, response)) }
            case .close:
                done = true
                context.close(promise: nil)
            case .reset:
                done = true
                let channel = context.channel
                if let provider = channel as? any SocketOptionProvider {
                    provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    channel.close(promise: nil)
                }
            case .silent:
                done = true
            }
        }
    }
}

/// A listening socket on 127.0.0.1 that never accepts, with its accept queue filled so that
/// further SYNs go unanswered: a connect to it hangs until the connector's timeout.
final class BlackholeListener {
    let fd: Int32
    let port: Int
    private var fillers: [Int32] = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard listen(fd, 0) == 0 else {
            close(fd)
            throw RawClient.Failure.connect(errno)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        // Connect until one connect does not complete: from then on the queue is full.
        for _ in 0..<16 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(filler, F_SETFL, fcntl(filler, F_GETFL) | O_NONBLOCK)
            fillers.append(filler)
            var target = addr
            _ = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var pfd = pollfd(fd: filler, events: Int16(POLLOUT), revents: 0)
            if poll(&pfd, 1, 150) == 0 { return }
        }
        throw RawClient.Failure.malformed("the accept queue never filled; connects to it would not hang")
    }

    deinit {
        for filler in fillers { close(filler) }
        close(fd)
    }
}

/// One request on a fresh connection from `source` (any 127.0.0.0/8 address) to the gateway
/// on 127.0.0.1; the connection closes after it. Returns the status and the `x-upstream` field.
func requestFrom(source: String, port: Int, path: String, headers: [String: String] = [:]) throws -> (status: Int, upstream: String?) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr(source)
    local.sin_port = 0
    let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw RawClient.Failure.connect(errno) }
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_addr.s_addr = inet_addr("127.0.0.1")
    remote.sin_port = in_port_t(UInt16(port).bigEndian)
    let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else { throw RawClient.Failure.connect(errno) }
    var request = "GET \(path) HTTP/1.1\r\nHost: test.local\r\nConnection: close\r\n"
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    let bytes = Array((request + "\r\n").utf8)
    guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { throw RawClient.Failure.closed }
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw RawClient.Failure.timeout }
        if n == 0 { break }
        received += chunk[0..<n]
    }
    let text = String(decoding: received, as: UTF8.self)
    let lines = text.components(separatedBy: "\r\n")
    guard let statusLine = lines.first, let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
        throw RawClient.Failure.malformed(text)
    }
    let upstream = lines.prefix { !$0.isEmpty }.first { $0.lowercased().hasPrefix("x-upstream:") }
        .map { $0.dropFirst("x-upstream:".count).trimmingCharacters(in: .whitespaces) }
    return (status, upstream)
}

/// Runs blocking client code on its own thread (so it cannot starve the test's executor).
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(2), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
