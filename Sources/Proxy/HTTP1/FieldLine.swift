/// One field line of a head or trailer section (RFC 9112 §5), without its CRLF:
/// `field-name ":" OWS field-value OWS`, held to the grammar byte for byte. No
/// whitespace before the colon, no obs-fold, no CR, NUL or other control byte in the value.
enum FieldLine {
    /// The name and the value without its surrounding whitespace; nil when the line breaks the grammar.
    static func parse(_ line: UnsafeRawBufferPointer) -> (name: String, value: String)? {
        guard let (nameEnd, valueStart, valueEnd) = bounds(line) else { return nil }
        return (String(decoding: UnsafeRawBufferPointer(rebasing: line[..<nameEnd]), as: UTF8.self),
                String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]), as: UTF8.self))
    }

    static func isValid(_ line: UnsafeRawBufferPointer) -> Bool { bounds(line) != nil }

    /// Where the name ends (at the colon) and where the trimmed value starts and ends.
    @inline(__always)
    private static func bounds(_ line: UnsafeRawBufferPointer) -> (Int, Int, Int)? {
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
        return (nameEnd, valueStart, valueEnd)
    }
}
