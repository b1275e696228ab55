import NIOCore
import NIOHTTP1

/// Response heads the gateway writes from `HTTPHeaders` (its own answers, policy-edited
/// responses), the pieces the byte-level head writers share, and chunk framing; each head
/// in one pass over one buffer.
/// The fields written were validated on their way in, or are the gateway's own.
enum HeadWriter {
    static func write(_ head: HTTPResponseHead, into buffer: inout ByteBuffer) {
        let reason = head.status.reasonPhrase
        let size = 15 + reason.utf8.count + fieldsSize(head.headers)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var at = 0
            copyStatusLine(head.version, head.status, reason: reason, to: out, at: &at)
            copyFields(head.headers, to: out, at: &at)
            return at
        }
    }

    /// `HTTP/1.x CODE REASON CRLF`: 15 bytes and the reason's.
    static func copyStatusLine(_ version: HTTPVersion, _ status: HTTPResponseStatus, reason: String,
                               to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        copy(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ", to: out, at: &at)
        let code = Int(status.code)
        out[at] = UInt8(ascii: "0") + UInt8(code / 100 % 10)
        out[at + 1] = UInt8(ascii: "0") + UInt8(code / 10 % 10)
        out[at + 2] = UInt8(ascii: "0") + UInt8(code % 10)
        out[at + 3] = UInt8(ascii: " ")
        at += 4
        copy(reason, to: out, at: &at)
        copy("\r\n", to: out, at: &at)
    }

    @inline(__always)
    static func copy(_ bytes: UnsafeRawBufferPointer, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        (out.baseAddress! + at).copyMemory(from: base, byteCount: bytes.count)
        at += bytes.count
    }

    /// `name: value CRLF`.
    @inline(__always)
    static func copyField(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                          to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        copy(name, to: out, at: &at)
        copy(": ", to: out, at: &at)
        copy(value, to: out, at: &at)
        copy("\r\n", to: out, at: &at)
    }

    /// `name: value CRLF` for one of the gateway's own fields.
    @inline(__always)
    static func copyField(_ name: StaticString, _ value: String, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        copy(name, to: out, at: &at)
        copy(": ", to: out, at: &at)
        copy(value, to: out, at: &at)
        copy("\r\n", to: out, at: &at)
    }

    /// Bytes of `name: value CRLF` for every field, and the empty line.
    private static func fieldsSize(_ headers: HTTPHeaders) -> Int {
        var size = 2
        for (name, value) in headers { size += name.utf8.count + value.utf8.count + 4 }
        return size
    }

    private static func copyFields(_ headers: HTTPHeaders, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        for (name, value) in headers {
            copy(name, to: out, at: &at)
            copy(": ", to: out, at: &at)
            copy(value, to: out, at: &at)
            copy("\r\n", to: out, at: &at)
        }
        copy("\r\n", to: out, at: &at)
    }

    /// A string's UTF-8 bytes: in place when it has them contiguous (native strings do,
    /// small ones on the stack), else from a contiguous copy.
    @inline(__always)
    static func copy(_ string: String, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { copy(UnsafeRawBufferPointer($0), to: out, at: &at) }
        guard copied == nil else { return }
        var string = string
        string.withUTF8 { copy(UnsafeRawBufferPointer($0), to: out, at: &at) }
    }

    @inline(__always)
    static func copy(_ string: StaticString, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        (out.baseAddress! + at).copyMemory(from: string.utf8Start, byteCount: string.utf8CodeUnitCount)
        at += string.utf8CodeUnitCount
    }

    /// One chunk of a chunked body: `SIZE CRLF`, the data, `CRLF`, each handed to `write`.
    /// Empty data is no chunk (it would end the body).
    static func writeChunk(_ data: ByteBuffer, allocator: ByteBufferAllocator, _ write: (ByteBuffer) -> Void) {
        guard data.readableBytes > 0 else { return }
        let size = UInt64(data.readableBytes)
        let digits = HTTPSyntax.hexDigitCount(size)
        var header = allocator.buffer(capacity: digits + 2)
        header.writeWithUnsafeMutableBytes(minimumWritableBytes: digits + 2) { out in
            HTTPSyntax.writeHex(size, digits: digits, to: out, at: 0)
            out[digits] = UInt8(ascii: "\r")
            out[digits + 1] = UInt8(ascii: "\n")
            return digits + 2
        }
        write(header)
        write(data)
        write(ByteBuffer(staticString: "\r\n"))
    }

    /// The last chunk and an empty trailer section.
    static let lastChunk: StaticString = "0\r\n\r\n"
}
