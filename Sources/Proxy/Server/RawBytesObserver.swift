import NIOCore

/// Timestamps of one client connection that its timeouts are judged by.
final class ConnectionClock {
    var awaitingHead = true
    /// When the first byte of the next request arrived while waiting for it.
    var firstByteAt: NIODeadline?
    var idleSince = NIODeadline.now()
    var lastBodyAt = NIODeadline.now()
    /// Since when the client has not been taking what the gateway writes to it.
    var stalledSince: NIODeadline?
}

/// First in the pipeline: notes when a new request starts arriving, so a head that
/// trickles in too slowly is answered 408 rather than waited on forever; and checks the
/// connection's first request line byte for byte (llhttp tolerates extra spaces there).
final class RawBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: ConnectionClock
    private var context: ChannelHandlerContext?
    weak var handler: ProxyHandler?
    private var firstLine: [UInt8]? = []
    private static let firstLineLimit = 8192

    init(clock: ConnectionClock) { self.clock = clock }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Sends bytes under the HTTP handlers and closes: for answers to input those handlers
    /// never accepted as a request (a malformed or timed-out head).
    func writeFinalAndClose(_ bytes: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapInboundOut(bytes)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if clock.awaitingHead && clock.firstByteAt == nil { clock.firstByteAt = .now() }
        if firstLine != nil && !checkFirstLine(unwrapInboundIn(data)) {
            handler?.refuse(status: .badRequest, reason: "malformed request line", version: .http1_1)
            return
        }
        context.fireChannelRead(data)
    }

    /// False once the first request line is known to be malformed.
    private func checkFirstLine(_ buffer: ByteBuffer) -> Bool {
        guard var line = firstLine else { return true }
        line.append(contentsOf: buffer.readableBytesView.prefix(Self.firstLineLimit - line.count))
        while line.count >= 2 && line[0] == UInt8(ascii: "\r") && line[1] == UInt8(ascii: "\n") {
            line.removeFirst(2)
        }
        guard let end = line.firstIndex(of: UInt8(ascii: "\n")) else {
            firstLine = line.count < Self.firstLineLimit ? line : nil
            return true
        }
        firstLine = nil
        return RequestLine.isWellFormed(line[..<end])
    }

}

/// `method SP request-target SP HTTP/d.d CR`: single spaces, a token method, visible target bytes.
enum RequestLine {
    static func isWellFormed(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.last == UInt8(ascii: "\r") else { return false }
        let body = line.dropLast()
        let parts = body.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(HTTPSyntax.isTokenChar),
            !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return false }
        let version = Array(parts[2])
        return version.count == 8 && version.starts(with: Array("HTTP/".utf8)) && HTTPSyntax.isDigit(version[5])
            && version[6] == UInt8(ascii: ".") && HTTPSyntax.isDigit(version[7])
    }
}
