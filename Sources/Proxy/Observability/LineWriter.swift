/// Writes one access log line into the free space of a buffer, byte by byte, escaping as it
/// goes. What does not fit is not written: the line is then `overflowed` and must be dropped.
struct LineWriter {
    private let out: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    private(set) var overflowed = false

    init(_ out: UnsafeMutableRawBufferPointer) {
        self.out = out
    }

    @inline(__always)
    mutating func byte(_ byte: UInt8) {
        guard count < out.count else {
            overflowed = true
            return
        }
        out[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard count + bytes.count <= out.count else {
            overflowed = true
            return
        }
        (out.baseAddress! + count).copyMemory(from: base, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func raw(_ text: StaticString) {
        raw(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw($0) }
    }

    /// A whole number in decimal.
    mutating func decimal(_ value: Int) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var length = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - length] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                length += 1
            } while magnitude > 0
            raw(UnsafeRawBufferPointer(rebasing: scratch[(24 - length)...]))
        }
    }

    /// `value` with exactly `width` digits, zero-padded.
    mutating func padded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            byte(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Nanoseconds as milliseconds with three decimals.
    mutating func milliseconds(_ nanoseconds: Int64) {
        let micros = Int(max(0, nanoseconds) / 1000)
        decimal(micros / 1000)
        byte(UInt8(ascii: "."))
        padded(micros % 1000, width: 3)
    }

    /// How a field's bytes are escaped.
    enum Escaping {
        /// A JSON string's content: `"` and `\` with a backslash, control bytes and bytes
        /// above ASCII as `\u00XX`, so a line is valid JSON whatever the client sent.
        case json
        /// A combined-format field as nginx escapes it: `"`, `\`, control bytes and bytes
        /// above ASCII as `\xHH`.
        case combined
    }

    /// `bytes`, escaped: runs of plain bytes are found eight at a time and copied whole.
    mutating func escaped(_ bytes: UnsafeRawBufferPointer, _ escaping: Escaping) {
        var start = 0
        var index = 0
        let count = bytes.count
        while index < count {
            if index + 8 <= count, !Self.mayNeedEscaping(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let b = bytes[index]
            index += 1
            guard b < 0x20 || b >= 0x7F || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            raw(UnsafeRawBufferPointer(rebasing: bytes[start..<index - 1]))
            start = index
            switch escaping {
            case .json where b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\"):
                byte(UInt8(ascii: "\\"))
                byte(b)
            case .json:
                raw("\\u00")
                hex(b)
            case .combined:
                raw("\\x")
                hex(b)
            }
        }
        raw(UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
    }

    /// Whether one of eight bytes may be a control byte, DEL or above ASCII, `"` or `\`
    /// (a word without any is plain; one with some is looked at byte by byte).
    @inline(__always)
    private static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        return (word &- ones &* 0x20) & ~word & highs != 0 || word & highs != 0
            || hasZeroByte(word ^ (ones &* 0x7F)) || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }

    private mutating func hex(_ b: UInt8) {
        let digits: StaticString = "0123456789ABCDEF"
        byte(digits.utf8Start[Int(b >> 4)])
        byte(digits.utf8Start[Int(b & 0xF)])
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes, without copying a native string.
    @inline(__always)
    func withBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        if utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) == nil {
            var copy = self
            copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }
}
