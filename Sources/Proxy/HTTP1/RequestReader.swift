import NIOCore
import NIOHTTP1

/// Reads the requests of one client connection, in order, from its bytes as RFC 9112
/// frames them: the request line, field lines, then a body of Content-Length bytes or of
/// chunks. Every request line and field line is held to the grammar byte for byte and
/// every head to ``RequestValidator``; the first thing that breaks them is refused with
/// the status to answer, and nothing after it is read. Bytes of pipelined requests wait
/// here until the reader is asked for them.
struct RequestReader {
    enum Event {
        case head(RequestHead, RequestFraming, ConnectionOptions)
        case body(ByteBuffer)
        case end
        case refused(RequestRejection)
    }

    private enum State {
        case head
        case body(BodyDecoder)
        /// Nothing more is read; the request line of the refused head, when it was read.
        case refused(RequestLine?)
    }

    struct RequestLine {
        let method: HTTPMethod
        let target: String
        let version: HTTPVersion
    }

    /// What the head being read has said so far. Its lines stay in the buffer until it is
    /// complete; `scanned` is how far past the reader index they have been read.
    private struct PartialHead {
        var scanned = 0
        var requestLine: RequestLine?
        /// Where the field lines begin, once the request line is read.
        var fieldsStart = 0
        /// Until the request line is read, the fields of the last head.
        var fields = FieldSection(underscores: .routeDecides)

        /// Ready for the next head: all but the fields start over.
        mutating func restart() {
            scanned = 0
            requestLine = nil
            fieldsStart = 0
        }
    }

    private var state = State.head
    private var buffer = ByteBuffer()
    private var partial: PartialHead
    /// Longest request line, and most bytes of field lines in a head.
    private let headLimit: Int
    /// Most field lines in a head.
    private let fieldLimit: Int

    init(headLimit: Int, fieldLimit: Int) {
        self.headLimit = headLimit
        self.fieldLimit = fieldLimit
        partial = PartialHead()
    }

    /// Bytes received and not yet read as part of a request.
    var bufferedBytes: Int { buffer.readableBytes }

    /// The request line of the head being read, or of the head refused, once it was read.
    var pendingRequestLine: RequestLine? {
        switch state {
        case .head: partial.requestLine
        case .body: nil
        case .refused(let line): line
        }
    }

    mutating func append(_ bytes: ByteBuffer) {
        if case .refused = state { return }
        buffer.appendReceived(bytes)
    }

    /// The next event, or nil until more bytes arrive (or forever, after a refusal).
    mutating func next() -> Event? {
        switch state {
        case .refused:
            return nil
        case .head:
            return readHead()
        case .body(var decoder):
            let output = decoder.decode(&buffer)
            switch output {
            case .data(let data):
                state = .body(decoder)
                return .body(data)
            case .end:
                state = .head
                return .end
            case .needMore:
                state = .body(decoder)
                return nil
            case .malformed(let reason):
                return refuse(.badRequest, reason)
            }
        }
    }

    private mutating func readHead() -> Event? {
        if partial.requestLine == nil && partial.scanned == 0 {
            // Empty lines before a request line are ignored (RFC 9112 §2.2).
            while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
            {
                buffer.moveReaderIndex(forwardBy: 1)
            }
        }
        while true {
            let start = partial.scanned
            switch LineScanner.nextLine(in: buffer, at: start) {
            case .incomplete:
                if partial.requestLine == nil {
                    return buffer.readableBytes > headLimit ? refuse(.uriTooLong, "request line too long") : nil
                }
                return buffer.readableBytes - partial.fieldsStart > headLimit
                    ? refuse(.requestHeaderFieldsTooLarge, "request head too large") : nil
            case .bareLF:
                return refuse(.badRequest, partial.requestLine == nil ? "malformed request line" : "malformed header field")
            case .complete(let length, let next):
                partial.scanned = next
                if partial.requestLine == nil {
                    guard length <= headLimit else { return refuse(.uriTooLong, "request line too long") }
                    guard let line = LineScanner.withLine(buffer, at: start, length: length, Self.parseRequestLine) else {
                        return refuse(.badRequest, "malformed request line")
                    }
                    partial.requestLine = line
                    partial.fieldsStart = next
                    // The last head's fields are cleared only now: its exchange is over by
                    // then, so the list of spans they shared is reused rather than copied.
                    partial.fields.clear()
                } else if length == 0 {
                    return completeHead()
                } else {
                    guard next - partial.fieldsStart <= headLimit else {
                        return refuse(.requestHeaderFieldsTooLarge, "request head too large")
                    }
                    guard partial.fields.lines < fieldLimit else {
                        return refuse(.requestHeaderFieldsTooLarge, "too many header fields")
                    }
                    let noted = LineScanner.withLine(buffer, at: start, length: length) { line in
                        partial.fields.add(line, at: start)
                    }
                    guard noted else { return refuse(.badRequest, "malformed header field") }
                }
            }
        }
    }

    /// The head as an event, its fields read from `partial` in place (they stay there until
    /// the next request line is read).
    private mutating func completeHead() -> Event {
        let bytes = buffer.readSlice(length: partial.scanned)!
        partial.fields.dropLookalikesOfNamedFields(in: bytes)
        let line = partial.requestLine!
        partial.restart()
        switch RequestValidator.validate(method: line.method, target: line.target, version: line.version, fields: partial.fields) {
        case .failure(let rejection):
            state = .refused(line)
            buffer.clear()
            return .refused(rejection)
        case .success(let framing):
            switch framing {
            case .none: state = .body(BodyDecoder(.length(0), lineLimit: headLimit))
            case .contentLength(let length): state = .body(BodyDecoder(.length(length), lineLimit: headLimit))
            case .chunked: state = .body(BodyDecoder(.chunked, lineLimit: headLimit))
            }
            let request = RequestHead(method: line.method, target: line.target, version: line.version,
                                      fields: FieldBlock(bytes: bytes, spans: partial.fields.spans),
                                      droppedFields: partial.fields.dropped, underscored: partial.fields.setAside)
            return .head(request, framing, partial.fields.connection)
        }
    }

    private mutating func refuse(_ status: HTTPResponseStatus, _ reason: String) -> Event {
        state = .refused(partial.requestLine)
        buffer.clear()
        return .refused(RequestRejection(status: status, reason: reason))
    }

    /// `method SP request-target SP HTTP/1.x`: single spaces, a token method, a target of
    /// visible bytes, version 1.0 or 1.1.
    private static func parseRequestLine(_ line: UnsafeRawBufferPointer) -> RequestLine? {
        guard let methodEnd = line.firstIndex(of: UInt8(ascii: " ")), methodEnd > 0 else { return nil }
        for index in 0..<methodEnd where !HTTPSyntax.isTokenChar(line[index]) { return nil }
        let targetStart = methodEnd + 1
        var index = targetStart
        while index < line.count, line[index] > 0x20, line[index] < 0x7F { index += 1 }
        guard index > targetStart, index + 9 == line.count, line[index] == UInt8(ascii: " ") else { return nil }
        let version = UnsafeRawBufferPointer(rebasing: line[(index + 1)...])
        guard HTTPSyntax.hasPrefix(version, "HTTP/1.") else { return nil }
        let minor: Int
        switch version[7] {
        case UInt8(ascii: "0"): minor = 0
        case UInt8(ascii: "1"): minor = 1
        default: return nil
        }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: line[targetStart..<index]), as: UTF8.self)
        return RequestLine(method: method(UnsafeRawBufferPointer(rebasing: line[..<methodEnd])), target: target,
                           version: HTTPVersion(major: 1, minor: minor))
    }

    /// The method a request line names: the common ones matched on their bytes (methods are
    /// case-sensitive), any other as `HTTPMethod(rawValue:)` reads it.
    private static func method(_ name: UnsafeRawBufferPointer) -> HTTPMethod {
        func equals(_ known: StaticString) -> Bool {
            name.count == known.utf8CodeUnitCount && HTTPSyntax.hasPrefix(name, known)
        }
        if equals("GET") { return .GET }
        if equals("POST") { return .POST }
        if equals("HEAD") { return .HEAD }
        if equals("PUT") { return .PUT }
        if equals("DELETE") { return .DELETE }
        if equals("OPTIONS") { return .OPTIONS }
        if equals("PATCH") { return .PATCH }
        return HTTPMethod(rawValue: String(decoding: name, as: UTF8.self))
    }
}

extension RequestHead {
    /// What is known of a request refused after its request line was read: that line, no fields.
    init(_ line: RequestReader.RequestLine) {
        self.init(method: line.method, target: line.target, version: line.version, fields: .empty)
    }
}
