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
        case head(HTTPRequestHead, RequestFraming, ConnectionOptions)
        case body(ByteBuffer)
        case end
        case refused(RequestRejection)
    }

    private enum State {
        case head
        case body(BodyDecoder)
        case refused
    }

    private struct RequestLine {
        let method: HTTPMethod
        let target: String
        let version: HTTPVersion
    }

    private var state = State.head
    private var buffer = ByteBuffer()
    /// The head being read: its request line and the fields so far.
    private var requestLine: RequestLine?
    private var fields: [(String, String)] = []
    private var connection = ConnectionOptions()
    private var fieldBytes = 0
    /// Longest request line, and most bytes of field lines in a head.
    private let headLimit: Int

    init(headLimit: Int) {
        self.headLimit = headLimit
    }

    /// Bytes received and not yet read as part of a request.
    var bufferedBytes: Int { buffer.readableBytes }

    /// A request head has begun arriving and is not complete.
    var isInsideHead: Bool {
        guard case .head = state else { return false }
        return requestLine != nil || buffer.readableBytes > 0
    }

    mutating func append(_ bytes: ByteBuffer) {
        if case .refused = state { return }
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
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
        if requestLine == nil {
            // Empty lines before a request line are ignored (RFC 9112 §2.2).
            while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
            {
                buffer.moveReaderIndex(forwardBy: 1)
            }
        }
        while true {
            switch LineScanner.nextLine(in: buffer) {
            case .incomplete:
                if requestLine == nil {
                    return buffer.readableBytes > headLimit ? refuse(.uriTooLong, "request line too long") : nil
                }
                return fieldBytes + buffer.readableBytes > headLimit
                    ? refuse(.requestHeaderFieldsTooLarge, "request head too large") : nil
            case .bareLF:
                return refuse(.badRequest, requestLine == nil ? "malformed request line" : "malformed header field")
            case .complete(let length, let next):
                if requestLine == nil {
                    guard length <= headLimit else { return refuse(.uriTooLong, "request line too long") }
                    guard let line = LineScanner.withLine(buffer, length: length, Self.parseRequestLine) else {
                        return refuse(.badRequest, "malformed request line")
                    }
                    requestLine = line
                } else if length == 0 {
                    buffer.moveReaderIndex(to: next)
                    return completeHead()
                } else {
                    fieldBytes += length + 2
                    guard fieldBytes <= headLimit else {
                        return refuse(.requestHeaderFieldsTooLarge, "request head too large")
                    }
                    guard let field = LineScanner.withLine(buffer, length: length, { FieldLine.parse($0, connection: &connection) }) else {
                        return refuse(.badRequest, "malformed header field")
                    }
                    fields.append(field)
                }
                buffer.moveReaderIndex(to: next)
            }
        }
    }

    private mutating func completeHead() -> Event {
        let line = requestLine!
        let head = HTTPRequestHead(version: line.version, method: line.method, uri: line.target,
                                   headers: HTTPHeaders(fields))
        let connection = self.connection
        requestLine = nil
        fields.removeAll(keepingCapacity: true)
        fieldBytes = 0
        self.connection = ConnectionOptions()
        switch RequestValidator.validate(head) {
        case .failure(let rejection):
            state = .refused
            buffer.clear()
            return .refused(rejection)
        case .success(let framing):
            switch framing {
            case .none: state = .body(BodyDecoder(.length(0), lineLimit: headLimit))
            case .contentLength(let length): state = .body(BodyDecoder(.length(length), lineLimit: headLimit))
            case .chunked: state = .body(BodyDecoder(.chunked, lineLimit: headLimit))
            }
            return .head(head, framing, connection)
        }
    }

    private mutating func refuse(_ status: HTTPResponseStatus, _ reason: String) -> Event {
        state = .refused
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
        let method = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<methodEnd]), as: UTF8.self)
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: line[targetStart..<index]), as: UTF8.self)
        return RequestLine(method: HTTPMethod(rawValue: method), target: target,
                           version: HTTPVersion(major: 1, minor: minor))
    }
}
