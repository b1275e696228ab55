import NIOCore
import NIOHTTP1

/// Heads and chunk framing as bytes on the wire. The fields written were validated on
/// their way in, or are the gateway's own.
enum HeadWriter {
    static func write(_ head: HTTPRequestHead, into buffer: inout ByteBuffer) {
        buffer.writeString(head.method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(head.uri)
        buffer.writeStaticString(head.version.minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")
        write(head.headers, into: &buffer)
    }

    static func write(_ head: HTTPResponseHead, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(head.version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        writeStatus(head.status, into: &buffer)
        write(head.headers, into: &buffer)
    }

    private static func write(_ headers: HTTPHeaders, into buffer: inout ByteBuffer) {
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
    }

    private static func writeStatus(_ status: HTTPResponseStatus, into buffer: inout ByteBuffer) {
        let code = Int(status.code)
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 100 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code % 10))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    /// `SIZE CRLF` in hex, before a chunk's data; the data is followed by ``chunkEnd``.
    static func writeChunkSize(_ size: Int, into buffer: inout ByteBuffer) {
        var digits = 1
        while size >> (4 * digits) > 0 { digits += 1 }
        for shift in stride(from: 4 * (digits - 1), through: 0, by: -4) {
            let nibble = UInt8((size >> shift) & 0xF)
            buffer.writeInteger(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
        buffer.writeStaticString("\r\n")
    }

    static let chunkEnd: StaticString = "\r\n"
    /// The last chunk and an empty trailer section.
    static let lastChunk: StaticString = "0\r\n\r\n"
}
