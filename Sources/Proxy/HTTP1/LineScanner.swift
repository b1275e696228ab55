#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Lines of a head, a chunk size or a trailer section at the front of a buffer. Every line
/// ends in CRLF: a bare LF, or a CR anywhere else, breaks the grammar.
enum LineScanner {
    enum Line {
        /// The line's length, its CRLF not counted, and where the following line starts (from the reader index).
        case complete(length: Int, next: Int)
        /// No LF yet.
        case incomplete
        /// An LF without the CR before it.
        case bareLF
    }

    /// The line that starts `offset` bytes past the reader index.
    @inline(__always)
    static func nextLine(in buffer: ByteBuffer, at offset: Int) -> Line {
        buffer.withUnsafeReadableBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[offset...])
            guard let lf = firstLF(bytes) else { return .incomplete }
            guard lf > 0, bytes[lf - 1] == UInt8(ascii: "\r") else { return .bareLF }
            return .complete(length: lf - 1, next: offset + lf + 1)
        }
    }

    @inline(__always)
    private static func firstLF(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let found = memchr(base, 0x0A, bytes.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Calls `body` with the bytes of a complete line found by ``nextLine(in:at:)``.
    @inline(__always)
    static func withLine<Result>(_ buffer: ByteBuffer, at offset: Int, length: Int,
                                 _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        buffer.withUnsafeReadableBytes { bytes in body(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])) }
    }
}
