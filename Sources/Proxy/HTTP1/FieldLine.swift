/// One field line of a head or trailer section (RFC 9112 §5), without its CRLF:
/// `field-name ":" OWS field-value OWS`, held to the grammar byte for byte. No
/// whitespace before the colon, no obs-fold, no CR, NUL or other control byte in the value.
enum FieldLine {
    /// Where a line's name ends (at the colon) and where its value, without the whitespace around it, lies.
    struct Bounds {
        let nameEnd: Int
        let valueStart: Int
        let valueEnd: Int
    }

    static func isValid(_ line: UnsafeRawBufferPointer) -> Bool { bounds(line) != nil }

    @inline(__always)
    static func bounds(_ line: UnsafeRawBufferPointer) -> Bounds? {
        var index = 0
        let count = line.count
        while index < count, HTTPSyntax.isTokenChar(line[index]) { index += 1 }
        guard index > 0, index < count, line[index] == UInt8(ascii: ":") else { return nil }
        let nameEnd = index
        index += 1
        while index < count, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") { index += 1 }
        let valueStart = index
        guard valueBytesAreValid(line, from: index) else { return nil }
        var valueEnd = count
        while valueEnd > valueStart, line[valueEnd - 1] == UInt8(ascii: " ") || line[valueEnd - 1] == UInt8(ascii: "\t") {
            valueEnd -= 1
        }
        return Bounds(nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
    }

    /// No CTL but HTAB, no DEL from `start` on: eight bytes at a time, and byte by byte only
    /// where a word holds a byte below 0x20 or a DEL (a tab, or the bad byte itself).
    @inline(__always)
    private static func valueBytesAreValid(_ line: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var index = start
        let count = line.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            let word = line.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let below20 = (word &- ones &* 0x20) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            let hasDEL = (del &- ones) & ~del & highs
            if below20 | hasDEL != 0 {
                for offset in index..<index + 8 where !HTTPSyntax.isFieldValueByte(line[offset]) { return false }
            }
            index += 8
        }
        while index < count {
            guard HTTPSyntax.isFieldValueByte(line[index]) else { return false }
            index += 1
        }
        return true
    }
}
