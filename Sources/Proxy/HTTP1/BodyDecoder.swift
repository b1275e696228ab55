import NIOCore

/// A message body as RFC 9112 frames it (§6.3, §7.1), taken from the front of a buffer as
/// its bytes arrive: a fixed length, chunks (size lines with extensions checked, trailer
/// fields checked and dropped), or everything until the connection closes. Data comes out
/// as slices of the buffer, never copied.
struct BodyDecoder {
    enum Framing: Equatable {
        case length(Int)
        case chunked
        case untilClose
    }

    enum Output {
        case data(ByteBuffer)
        case end
        case needMore
        case malformed(String)
    }

    private enum State {
        case fixed(Int)
        case chunkSize
        case chunkData(Int)
        case chunkDataEnd
        case trailers(Int)
        case untilClose
        case done
    }

    private var state: State
    /// Longest chunk-size line, and most bytes of a trailer section.
    private let lineLimit: Int

    init(_ framing: Framing, lineLimit: Int) {
        self.lineLimit = lineLimit
        switch framing {
        case .length(let length): state = length > 0 ? .fixed(length) : .done
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    /// A body that ends when the connection does.
    var endsAtClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    mutating func decode(_ buffer: inout ByteBuffer) -> Output {
        while true {
            switch state {
            case .done:
                return .end
            case .fixed(let left):
                guard buffer.readableBytes > 0 else { return .needMore }
                let take = min(left, buffer.readableBytes)
                state = take == left ? .done : .fixed(left - take)
                return .data(buffer.readSlice(length: take)!)
            case .untilClose:
                guard buffer.readableBytes > 0 else { return .needMore }
                return .data(buffer.readSlice(length: buffer.readableBytes)!)
            case .chunkData(let left):
                guard buffer.readableBytes > 0 else { return .needMore }
                let take = min(left, buffer.readableBytes)
                state = take == left ? .chunkDataEnd : .chunkData(left - take)
                return .data(buffer.readSlice(length: take)!)
            case .chunkDataEnd:
                guard buffer.readableBytes >= 2 else {
                    if buffer.readableBytes == 1 && buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) != UInt8(ascii: "\r") {
                        return .malformed("chunk data not followed by CRLF")
                    }
                    return .needMore
                }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { return .malformed("chunk data not followed by CRLF") }
                state = .chunkSize
            case .chunkSize:
                switch LineScanner.nextLine(in: buffer, at: 0) {
                case .incomplete:
                    return buffer.readableBytes > lineLimit ? .malformed("chunk size line too long") : .needMore
                case .bareLF:
                    return .malformed("chunk size line without CRLF")
                case .complete(let length, let next):
                    guard let size = LineScanner.withLine(buffer, at: 0, length: length, ChunkSizeLine.parse) else {
                        return .malformed("malformed chunk size line")
                    }
                    buffer.moveReaderIndex(forwardBy: next)
                    state = size == 0 ? .trailers(0) : .chunkData(size)
                }
            case .trailers(let used):
                switch LineScanner.nextLine(in: buffer, at: 0) {
                case .incomplete:
                    return used + buffer.readableBytes > lineLimit ? .malformed("trailer section too large") : .needMore
                case .bareLF:
                    return .malformed("trailer line without CRLF")
                case .complete(let length, let next):
                    guard length == 0 || LineScanner.withLine(buffer, at: 0, length: length, FieldLine.isValid) else {
                        return .malformed("malformed trailer field")
                    }
                    buffer.moveReaderIndex(forwardBy: next)
                    guard length > 0 else {
                        state = .done
                        return .end
                    }
                    guard used + length + 2 <= lineLimit else { return .malformed("trailer section too large") }
                    state = .trailers(used + length + 2)
                }
            }
        }
    }
}

/// `chunk-size [ chunk-ext ]` (RFC 9112 §7.1.1): 1 to 15 hex digits, then extensions
/// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`.
enum ChunkSizeLine {
    static func parse(_ line: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        var size = 0
        while index < line.count, let digit = hexValue(line[index]) {
            guard index < 15 else { return nil }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { return nil }
        while true {
            skipBlanks(line, &index)
            guard index < line.count else { return size }
            guard line[index] == UInt8(ascii: ";") else { return nil }
            index += 1
            skipBlanks(line, &index)
            guard skipToken(line, &index) else { return nil }
            skipBlanks(line, &index)
            guard index < line.count, line[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipBlanks(line, &index)
            guard skipToken(line, &index) || skipQuotedString(line, &index) else { return nil }
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    private static func skipBlanks(_ line: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < line.count, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") { index += 1 }
    }

    private static func skipToken(_ line: UnsafeRawBufferPointer, _ index: inout Int) -> Bool {
        let start = index
        while index < line.count, HTTPSyntax.isTokenChar(line[index]) { index += 1 }
        return index > start
    }

    /// `DQUOTE *( qdtext / "\" ( HTAB / SP / VCHAR / obs-text ) ) DQUOTE`.
    private static func skipQuotedString(_ line: UnsafeRawBufferPointer, _ index: inout Int) -> Bool {
        guard index < line.count, line[index] == UInt8(ascii: "\"") else { return false }
        index += 1
        while index < line.count {
            let byte = line[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard index < line.count, HTTPSyntax.isFieldValueByte(line[index]) else { return false }
                index += 1
            default:
                guard HTTPSyntax.isFieldValueByte(byte) else { return false }
            }
        }
        return false
    }
}
