import NIOCore
import NIOHTTP1

/// Reads the responses of one upstream connection from its bytes (RFC 9112): the status
/// line, field lines, then a body framed by the request it answers, its status,
/// `Transfer-Encoding`, `Content-Length` or the end of the connection, after any interim 1xx
/// responses. Anything that breaks the grammar, or frames the body ambiguously, is an error:
/// the response is not used and the connection not reused.
struct ResponseReader {
    enum Event {
        /// A 1xx response (never 101); the final one follows.
        case interim(ResponseHead, ConnectionOptions)
        case head(ResponseHead, BodyDecoder.Framing, ConnectionOptions)
        case body(ByteBuffer)
        case end
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    private enum State {
        case idle
        case head
        case body(BodyDecoder)
        case failed
    }

    /// What the head being read has said so far. Its lines stay in the buffer until it is
    /// complete; `scanned` is how far past the reader index they have been read.
    private struct PartialHead {
        var scanned = 0
        var statusLine: (version: HTTPVersion, status: HTTPResponseStatus)?
        var fields = FieldSection(underscores: .keepAll)

        /// Ready for the next head, keeping the room of the list of fields.
        mutating func clear() {
            scanned = 0
            statusLine = nil
            fields.clear()
        }
    }

    private var state = State.idle
    private var buffer = ByteBuffer()
    private var requestWasHEAD = false
    private var partial = PartialHead()
    private let headLimit: Int
    /// Most field lines in a head.
    private let fieldLimit: Int

    init(headLimit: Int, fieldLimit: Int) {
        self.headLimit = headLimit
        self.fieldLimit = fieldLimit
    }

    /// Bytes arrived while no request was waiting for them.
    var hasUnsolicitedBytes: Bool {
        guard case .idle = state else { return false }
        return buffer.readableBytes > 0
    }

    /// A body that ends when the connection does is being read.
    var isReadingUntilClose: Bool {
        guard case .body(let decoder) = state else { return false }
        return decoder.endsAtClose
    }

    /// A request has been sent; its response comes next. A response to HEAD has no body.
    mutating func expectResponse(toHEAD: Bool) {
        requestWasHEAD = toHEAD
        partial.clear()
        state = .head
    }

    mutating func append(_ bytes: ByteBuffer) {
        buffer.appendReceived(bytes)
    }

    /// The next event, nil until more bytes arrive; throws `Malformed`.
    mutating func next() throws(Malformed) -> Event? {
        switch state {
        case .idle, .failed:
            return nil
        case .head:
            return try readHead()
        case .body(var decoder):
            switch decoder.decode(&buffer) {
            case .data(let data):
                state = .body(decoder)
                return .body(data)
            case .end:
                state = .idle
                return .end
            case .needMore:
                state = .body(decoder)
                return nil
            case .malformed(let reason):
                state = .failed
                throw Malformed(description: reason)
            }
        }
    }

    private mutating func readHead() throws(Malformed) -> Event? {
        while true {
            switch LineScanner.nextLine(in: buffer, at: partial.scanned) {
            case .incomplete:
                guard buffer.readableBytes <= headLimit else { throw fail("response head too large") }
                return nil
            case .bareLF:
                throw fail("response line without CRLF")
            case .complete(let length, let next):
                guard next <= headLimit else { throw fail("response head too large") }
                let start = partial.scanned
                partial.scanned = next
                if partial.statusLine == nil {
                    guard let line = LineScanner.withLine(buffer, at: start, length: length, Self.parseStatusLine) else {
                        throw fail("malformed status line")
                    }
                    partial.statusLine = line
                } else if length == 0 {
                    return try completeHead()
                } else {
                    guard partial.fields.lines < fieldLimit else { throw fail("too many header fields in response") }
                    let noted = LineScanner.withLine(buffer, at: start, length: length) { line in
                        partial.fields.add(line, at: start)
                    }
                    guard noted else { throw fail("malformed response header field") }
                }
            }
        }
    }

    /// The head as an event: an interim one (the final response follows), or the final one.
    /// Read from `partial` in place; it is cleared when the next request goes out, by when
    /// this head is gone and the list of spans they share is reused, not copied.
    private mutating func completeHead() throws(Malformed) -> Event {
        let bytes = buffer.readSlice(length: partial.scanned)!
        let (version, status) = partial.statusLine!
        let code = status.code
        let fields = FieldBlock(bytes: bytes, spans: partial.fields.spans)
        if code < 200 {
            // 100, 102, 103: the final response follows. 101 would switch protocols, never asked for.
            guard code != 101 else { throw fail("unexpected 101 Switching Protocols") }
            let options = partial.fields.connection
            partial.clear()
            return .interim(ResponseHead(version: version, status: status, fields: fields, hasContentLength: false), options)
        }
        let framing: BodyDecoder.Framing
        switch Self.framing(of: partial.fields, code: code, toHEAD: requestWasHEAD) {
        case .success(let found): framing = found
        case .failure(let malformed):
            state = .failed
            throw malformed
        }
        state = .body(BodyDecoder(framing, lineLimit: headLimit))
        return .head(ResponseHead(version: version, status: status, fields: fields,
                                  hasContentLength: partial.fields.contentLengths > 0),
                     framing, partial.fields.connection)
    }

    /// RFC 9112 §6.3, strictly: a length and a transfer coding together, or lengths that
    /// differ, are refused rather than guessed at.
    private static func framing(of fields: FieldSection, code: UInt, toHEAD: Bool) -> Result<BodyDecoder.Framing, Malformed> {
        guard fields.contentLengthIsValid else { return .failure(Malformed(description: "invalid Content-Length in response")) }
        if toHEAD || code == 204 || code == 304 { return .success(.length(0)) }
        guard !fields.lengthsDiffer else { return .failure(Malformed(description: "Content-Length fields that differ in response")) }
        if fields.transferEncodings > 0 {
            guard fields.contentLengths == 0 else {
                return .failure(Malformed(description: "both Content-Length and Transfer-Encoding in response"))
            }
            return .success(fields.lastCodingIsChunked ? .chunked : .untilClose)
        }
        return .success(fields.contentLength.map { .length($0) } ?? .untilClose)
    }

    private mutating func fail(_ reason: String) -> Malformed {
        state = .failed
        return Malformed(description: reason)
    }

    /// `HTTP/1.x SP 3DIGIT SP reason-phrase`; the space and phrase may be missing.
    private static func parseStatusLine(_ line: UnsafeRawBufferPointer) -> (version: HTTPVersion, status: HTTPResponseStatus)? {
        guard line.count >= 12, HTTPSyntax.hasPrefix(line, "HTTP/1."), line[8] == UInt8(ascii: " ") else { return nil }
        let minor: Int
        switch line[7] {
        case UInt8(ascii: "0"): minor = 0
        case UInt8(ascii: "1"): minor = 1
        default: return nil
        }
        var code = 0
        for index in 9..<12 {
            guard HTTPSyntax.isDigit(line[index]) else { return nil }
            code = code * 10 + Int(line[index] - UInt8(ascii: "0"))
        }
        guard code >= 100 else { return nil }
        var reason = ""
        if line.count > 12 {
            guard line[12] == UInt8(ascii: " ") else { return nil }
            let phrase = UnsafeRawBufferPointer(rebasing: line[13...])
            guard phrase.allSatisfy(HTTPSyntax.isFieldValueByte) else { return nil }
            reason = String(decoding: phrase, as: UTF8.self)
        }
        return (HTTPVersion(major: 1, minor: minor), HTTPResponseStatus(statusCode: code, reasonPhrase: reason))
    }
}
