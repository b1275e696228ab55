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
        var valueEnd = index
        while index < count {
            let byte = line[index]
            guard HTTPSyntax.isFieldValueByte(byte) else { return nil }
            index += 1
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { valueEnd = index }
        }
        return Bounds(nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
    }
}
