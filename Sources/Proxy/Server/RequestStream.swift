import NIOCore

/// Follows a client's byte stream request by request, framed as RFC 9112 frames it (request
/// line, header lines, then a Content-Length or chunked body), ahead of the HTTP decoder. It
/// does two things the decoder (llhttp) cannot:
///
/// - checks every request line byte for byte (llhttp accepts runs of spaces between its parts);
/// - lets any method token through: llhttp knows a fixed list of methods, so a request line
///   whose method is not one of the common ones reaches the decoder with `GET` in its place,
///   and the real method is handed back with ``takeMethod()`` when the head comes out.
///
/// It never judges what the decoder and the request validator judge (header syntax, framing
/// conflicts). When the stream stops making sense to it (say, two Content-Length fields), it
/// stops following and passes bytes through unchanged: that request is refused downstream
/// and the connection closed.
struct RequestStream {
    enum Refusal: Equatable {
        case malformedRequestLine
        case requestLineTooLong
    }

    private enum State {
        /// Before a request line (empty lines there are allowed and passed on).
        case betweenRequests
        case requestLine
        case headerLines
        case fixedBody(Int)
        case chunkSize
        case chunkData(Int)
        case chunkDataEnd(Int)
        case trailerLines
        /// The stream no longer frames the way this follower understands; bytes pass unchanged.
        case passThrough
        /// A request line was refused: nothing from it on goes to the decoder.
        case refused
    }

    private static let passedMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"]
    private static let standIn = Array("GET".utf8)
    private static let CR = UInt8(ascii: "\r"), LF = UInt8(ascii: "\n")

    private var state = State.betweenRequests
    /// The line being collected (request line, header, chunk size) when it spans reads.
    private var line: [UInt8] = []
    private var contentLength: Int?
    private var contentLengths = 0
    private var transferEncoding: [UInt8]?
    private var transferEncodings = 0
    /// One entry per request line passed on, in order: the real method where a stand-in was sent.
    private var methods: [String?] = []
    private var nextMethod = 0
    /// The header line being read is none of the framing fields.
    private var skippingLine = false
    private let lineLimit: Int
    /// Request lines handed to the decoder so far.
    private(set) var requestLines = 0

    init(lineLimit: Int) { self.lineLimit = lineLimit }

    /// The real method of the next request head the decoder delivers, when a stand-in was sent.
    mutating func takeMethod() -> String? {
        guard nextMethod < methods.count else { return nil }
        let method = methods[nextMethod]
        nextMethod += 1
        if nextMethod == methods.count {
            methods.removeAll(keepingCapacity: true)
            nextMethod = 0
        }
        return method
    }

    /// What to hand the decoder for `input`: usually `input` itself, or nil while a request
    /// line is still incomplete (it is held back until its end arrives). On a refused request
    /// line, the bytes of the requests before it, and the refusal.
    mutating func feed(_ input: ByteBuffer) -> (forward: ByteBuffer?, refusal: Refusal?) {
        switch state {
        case .passThrough: return (input, nil)
        case .refused: return (nil, nil)
        default: break
        }
        let start = input.readerIndex
        let end = input.writerIndex
        var output: ByteBuffer?
        // Bytes from passFrom on go to the decoder as they are, unless taken out below.
        var passFrom = start
        // Where the request line being read began, when it began in this read.
        var lineStart: Int?
        var index = start

        func emit(_ from: Int, _ to: Int) {
            guard to > from else { return }
            if output == nil { output = ByteBuffer() }
            var slice = input.getSlice(at: from, length: to - from)!
            output!.writeBuffer(&slice)
        }

        while index < end {
            switch state {
            case .betweenRequests:
                let byte = input.getInteger(at: index, as: UInt8.self)!
                if byte == Self.CR || byte == Self.LF {
                    index += 1
                } else {
                    line.removeAll(keepingCapacity: true)
                    lineStart = index
                    state = .requestLine
                }
            case .requestLine:
                guard let lineEnd = Self.firstLF(input, from: index, to: end) else {
                    line.append(contentsOf: input.getBytes(at: index, length: end - index)!)
                    emit(passFrom, lineStart ?? passFrom)
                    if line.count > lineLimit { return refuse(.requestLineTooLong, output) }
                    lineStart = nil
                    index = end
                    passFrom = end
                    continue
                }
                line.append(contentsOf: input.getBytes(at: index, length: lineEnd - index)!)
                let refusal: Refusal? = line.count > lineLimit
                    ? .requestLineTooLong : RequestLine.isWellFormed(line[...]) ? nil : .malformedRequestLine
                if let refusal {
                    emit(passFrom, lineStart ?? passFrom)
                    return refuse(refusal, output)
                }
                requestLines += 1
                let methodEnd = line.firstIndex(of: UInt8(ascii: " "))!
                let method = String(decoding: line[..<methodEnd], as: UTF8.self)
                let passes = Self.passedMethods.contains(method)
                methods.append(passes ? nil : method)
                index = lineEnd + 1
                if !passes || lineStart == nil {
                    // Sent from here: with the stand-in method, or completed from earlier reads.
                    emit(passFrom, lineStart ?? passFrom)
                    if output == nil { output = ByteBuffer() }
                    output!.writeBytes(passes ? line[...] : Self.standIn + line[methodEnd...])
                    output!.writeInteger(Self.LF)
                    passFrom = index
                }
                lineStart = nil
                startHeaders()
            case .headerLines, .trailerLines:
                if line.isEmpty && !skippingLine {
                    // Only Content-Length and Transfer-Encoding (and the empty line) matter here.
                    let first = input.getInteger(at: index, as: UInt8.self)!
                    let lower = first | 0x20
                    skippingLine = !(first == Self.CR || first == Self.LF || lower == UInt8(ascii: "c") || lower == UInt8(ascii: "t"))
                }
                guard let lineEnd = Self.firstLF(input, from: index, to: end) else {
                    if !skippingLine { collect(input, from: index, to: end) }
                    index = end
                    continue
                }
                if !skippingLine { collect(input, from: index, to: lineEnd) }
                index = lineEnd + 1
                if skippingLine {
                    skippingLine = false
                } else if line.isEmpty || line == [Self.CR] {
                    if case .trailerLines = state { state = .betweenRequests } else { startBody() }
                } else if case .headerLines = state {
                    noteHeader()
                }
                line.removeAll(keepingCapacity: true)
            case .fixedBody(let left):
                let take = min(left, end - index)
                index += take
                state = take == left ? .betweenRequests : .fixedBody(left - take)
            case .chunkSize:
                guard let lineEnd = Self.firstLF(input, from: index, to: end) else {
                    collect(input, from: index, to: end)
                    index = end
                    continue
                }
                collect(input, from: index, to: lineEnd)
                index = lineEnd + 1
                if let size = Self.chunkSize(line) {
                    state = size == 0 ? .trailerLines : .chunkData(size)
                } else {
                    state = .passThrough
                }
                line.removeAll(keepingCapacity: true)
            case .chunkData(let left):
                let take = min(left, end - index)
                index += take
                state = take == left ? .chunkDataEnd(2) : .chunkData(left - take)
            case .chunkDataEnd(let left):
                let expected = left == 2 ? Self.CR : Self.LF
                if input.getInteger(at: index, as: UInt8.self)! != expected {
                    state = .passThrough
                } else {
                    index += 1
                    state = left == 2 ? .chunkDataEnd(1) : .chunkSize
                }
            case .passThrough, .refused:
                index = end
            }
        }
        if output == nil {
            if passFrom == start { return (input, nil) }
            return (passFrom < end ? input.getSlice(at: passFrom, length: end - passFrom) : nil, nil)
        }
        emit(passFrom, end)
        return (output, nil)
    }

    private mutating func refuse(_ refusal: Refusal, _ output: ByteBuffer?) -> (forward: ByteBuffer?, refusal: Refusal?) {
        state = .refused
        return (output, refusal)
    }

    private mutating func startHeaders() {
        line.removeAll(keepingCapacity: true)
        skippingLine = false
        contentLength = nil
        contentLengths = 0
        transferEncoding = nil
        transferEncodings = 0
        state = .headerLines
    }

    /// Collects a header or chunk-size line; one longer than the limit is the decoder's to refuse.
    private mutating func collect(_ input: ByteBuffer, from: Int, to: Int) {
        guard line.count + (to - from) <= lineLimit else {
            state = .passThrough
            return
        }
        line.append(contentsOf: input.getBytes(at: from, length: to - from)!)
    }

    private mutating func noteHeader() {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = line[..<colon]
        var value = line[(colon + 1)...]
        while let last = value.last, last == Self.CR || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            value = value.dropLast()
        }
        while let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { value = value.dropFirst() }
        if HTTPSyntax.equalsIgnoringASCIICase(name, "content-length") {
            contentLengths += 1
            contentLength = HTTPSyntax.contentLength(value)
        } else if HTTPSyntax.equalsIgnoringASCIICase(name, "transfer-encoding") {
            transferEncodings += 1
            transferEncoding = Array(value)
        }
    }

    private mutating func startBody() {
        if transferEncodings > 0 {
            guard transferEncodings == 1, contentLengths == 0, let coding = transferEncoding,
                HTTPSyntax.equalsIgnoringASCIICase(coding[...], "chunked")
            else {
                state = .passThrough
                return
            }
            state = .chunkSize
        } else if contentLengths > 0 {
            guard contentLengths == 1, let length = contentLength else {
                state = .passThrough
                return
            }
            state = length > 0 ? .fixedBody(length) : .betweenRequests
        } else {
            state = .betweenRequests
        }
    }

    private static func firstLF(_ buffer: ByteBuffer, from: Int, to: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            let offset = from - buffer.readerIndex
            return bytes[offset..<(to - buffer.readerIndex)].firstIndex(of: LF).map { $0 + buffer.readerIndex }
        }
    }

    /// `1*HEXDIG [ ";" extensions ] CR`, at most 15 digits; nil for anything else.
    private static func chunkSize(_ line: [UInt8]) -> Int? {
        guard line.last == CR else { return nil }
        var size = 0
        var digits = 0
        for byte in line.dropLast() {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"): return digits > 0 ? size : nil
            default: return nil
            }
            digits += 1
            guard digits <= 15 else { return nil }
            size = size * 16 + digit
        }
        return digits > 0 ? size : nil
    }
}
