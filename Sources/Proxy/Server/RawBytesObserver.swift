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
/// trickles in too slowly is answered 408 rather than waited on forever; and follows the
/// stream request by request (``RequestStream``) to check every request line byte for byte
/// and let extension methods through the decoder.
final class RawBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: ConnectionClock
    private var context: ChannelHandlerContext?
    weak var handler: ProxyHandler?
    private var stream: RequestStream

    init(clock: ConnectionClock, requestLineLimit: Int) {
        self.clock = clock
        stream = RequestStream(lineLimit: requestLineLimit)
    }

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

    /// The method of the request head the decoder delivers next, when it differs from the decoder's.
    func takeMethod() -> String? { stream.takeMethod() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if clock.awaitingHead && clock.firstByteAt == nil { clock.firstByteAt = .now() }
        let (bytes, refusal) = stream.feed(unwrapInboundIn(data))
        if let bytes { context.fireChannelRead(wrapInboundOut(bytes)) }
        switch refusal {
        case nil: break
        case .malformedRequestLine?:
            handler?.refuseRequest(after: stream.requestLines, status: .badRequest, reason: "malformed request line")
        case .requestLineTooLong?:
            handler?.refuseRequest(after: stream.requestLines, status: .uriTooLong, reason: "request line too long")
        }
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
