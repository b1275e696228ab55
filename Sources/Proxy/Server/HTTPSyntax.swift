#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Character classes of RFC 9110/9112, on bytes.
enum HTTPSyntax {
    /// tchar: "!#$%&'*+-.^_`|~" DIGIT ALPHA, as a 256-bit set.
    @inline(__always)
    static func isTokenChar(_ byte: UInt8) -> Bool { inSet(byte, 0x03FF6CFA00000000, 0x57FFFFFFC7FFFFFE, 0x0000000000000000, 0x0000000000000000) }

    /// Whether `byte` is in the 256-bit set whose 64-bit words are given, lowest bytes first.
    @inline(__always)
    private static func inSet(_ byte: UInt8, _ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return word >> UInt64(byte & 63) & 1 == 1
    }

    /// `prefix` is at the start of `bytes`.
    @inline(__always)
    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// A Content-Length value: 1 to 18 digits, nothing else.
    static func contentLength<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether `bytes` spell `lower` (ASCII, no upper-case letters) with any ASCII letter case.
    static func equalsIgnoringASCIICase<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        if let equal = bytes.withContiguousStorageIfAvailable({ equalsIgnoringASCIICase(UnsafeRawBufferPointer($0), lower) }) {
            return equal
        }
        let other = lower.utf8Start
        var index = 0
        for byte in bytes {
            guard (byte >= 65 && byte <= 90 ? byte | 0x20 : byte) == other[index] else { return false }
            index += 1
        }
        return true
    }

    /// Whether `bytes` spell `lower` (ASCII, no upper-case letters) with any ASCII letter
    /// case: eight bytes at a time, a byte matching where it equals `lower`'s or, under one
    /// of its letters, has only the case bit (0x20) clear.
    @inline(__always)
    static func equalsIgnoringASCIICase(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        let count = lower.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let other = UnsafeRawPointer(lower.utf8Start)
        guard count >= 8 else {
            for index in 0..<count {
                let wanted = other.load(fromByteOffset: index, as: UInt8.self)
                let caseBit: UInt8 = wanted >= UInt8(ascii: "a") && wanted <= UInt8(ascii: "z") ? 0x20 : 0
                guard bytes[index] | caseBit == wanted else { return false }
            }
            return true
        }
        var index = 0
        while true {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let wanted = other.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            guard word | caseBits(wanted) == wanted else { return false }
            if index == count - 8 { return true }
            // The last word may overlap the one before it.
            index = min(index + 8, count - 8)
        }
    }

    /// 0x20 in each byte of `word` that is a lower-case ASCII letter, 0 in the others; every
    /// byte below 0x80, so no sum carries into the next byte.
    @inline(__always)
    private static func caseBits(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let atLeastA = (word &+ ones &* (0x80 - 0x61)) & highs
        let aboveZ = (word &+ ones &* (0x80 - 0x7B)) & highs
        return (atLeastA & ~aboveZ) >> 2
    }

    /// Whether two byte strings are equal but for ASCII letter case.
    static func equalsIgnoringASCIICase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in (x >= 65 && x <= 90 ? x | 0x20 : x) == (y >= 65 && y <= 90 ? y | 0x20 : y) }
    }

    /// Each element of a comma-separated list value (RFC 9110 §5.6.1), without the whitespace
    /// around it; empty elements are passed over.
    static func forEachListElement(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            var low = start, high = end
            while low < high && isBlank(value[low]) { low += 1 }
            while high > low && isBlank(value[high - 1]) { high -= 1 }
            if high > low { body(UnsafeRawBufferPointer(rebasing: value[low..<high])) }
            start = end + 1
        }
    }

    /// How many hex digits `value` takes, without leading zeros (1 for 0).
    static func hexDigitCount(_ value: UInt64) -> Int {
        var digits = 1
        while digits < 16 && value >> (4 * UInt64(digits)) > 0 { digits += 1 }
        return digits
    }

    /// Writes `value` in `digits` lower-case hex digits at `at`.
    static func writeHex(_ value: UInt64, digits: Int, to out: UnsafeMutableRawBufferPointer, at: Int) {
        for index in 0..<digits {
            let nibble = UInt8(truncatingIfNeeded: value >> (4 * UInt64(digits - 1 - index))) & 0xF
            out[at + index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
        }
    }

    /// field-vchar / SP / HTAB, obs-text allowed; no CTL, no DEL.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool { byte >= 0x20 ? byte != 0x7F : byte == 0x09 }

    /// reg-name and IP literal characters accepted in Host (no userinfo, no percent-encoding).
    static func isHostChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A `Host` value: reg-name or IPv4, or `[IPv6]`, with an optional numeric port.
    static func isValidHost<Bytes: Collection<UInt8>>(_ value: Bytes) -> Bool {
        value.withContiguousStorageIfAvailable { isValidHost(UnsafeRawBufferPointer($0)) }
            ?? Array(value).withUnsafeBytes { isValidHost($0) }
    }

    /// A `Host` value: reg-name or IPv4, or `[IPv6]`, with an optional numeric port.
    static func isValidHost(_ value: UnsafeRawBufferPointer) -> Bool {
        let count = value.count
        guard count > 0 else { return false }
        var index = 0
        if value[0] == UInt8(ascii: "[") {
            index = 1
            while index < count, value[index] != UInt8(ascii: "]") {
                let byte = value[index]
                guard isHexDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") else { return false }
                index += 1
            }
            // No closing bracket, or nothing between the brackets.
            guard index < count, index > 1 else { return false }
            index += 1
        } else {
            while index < count, value[index] != UInt8(ascii: ":") {
                guard isHostChar(value[index]) else { return false }
                index += 1
            }
            guard index > 0 else { return false }
        }
        if index == count { return true }
        guard value[index] == UInt8(ascii: ":") else { return false }
        index += 1
        guard count - index <= 5 else { return false }
        while index < count {
            guard isDigit(value[index]) else { return false }
            index += 1
        }
        return true
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    /// Bytes allowed in an origin-form or absolute-form request target (RFC 3986 characters, no fragment).
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool { inSet(byte, 0xAFFFFFF200000000, 0x47FFFFFEAFFFFFFF, 0x0000000000000000, 0x0000000000000000) }
}
