/// Reads wire primitives from a byte array. Every length is checked against the bytes
/// that remain and against `WireLimits` before anything is allocated. Only the encoder's
/// own form is accepted (minimal varints, flags of 0 or 1, valid UTF-8, map keys in
/// ascending order), so whatever decodes encodes back to the same bytes.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    public let end: Int

    public init(_ bytes: [UInt8], from offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    public mutating func u8() throws(WireError) -> UInt8 {
        guard offset < end else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() throws(WireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    public mutating func u64() throws(WireError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    /// A flag: 0 or 1.
    public mutating func flag(_ what: String) throws(WireError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw .invalidValue(what)
        }
    }

    public mutating func varint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            if shift == 63 && byte > 1 { throw .overlongVarint }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                // A last group of zero after others is a longer form of a smaller number.
                if byte == 0 && shift > 0 { throw .overlongVarint }
                return value
            }
            shift += 7
            if shift > 63 { throw .overlongVarint }
        }
    }

    /// A varint that is a count or a length, at most `limit`.
    public mutating func count(limit: Int, _ what: String) throws(WireError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw .limitExceeded(what) }
        return Int(value)
    }

    public mutating func string(_ what: String) throws(WireError) -> String {
        try string(limit: WireLimits.maxStringLength, what)
    }

    /// A UTF-8 string of at most `limit` bytes.
    public mutating func string(limit: Int, _ what: String) throws(WireError) -> String {
        let length = try count(limit: limit, what)
        guard length <= remaining else { throw .truncated }
        let start = offset
        let string = bytes.withUnsafeBufferPointer { all -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: all[start..<start + length])
            // ASCII, as every name and address the mesh uses, is valid UTF-8 as it stands;
            // the generic validation costs more than the rest of a record's decoding.
            if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let string else { throw .invalidValue(what) }
        offset += length
        return string
    }

    public mutating func byteString(limit: Int, _ what: String) throws(WireError) -> [UInt8] {
        let length = try count(limit: limit, what)
        guard length <= remaining else { throw .truncated }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    public mutating func map(_ what: String) throws(WireError) -> [String: String] {
        let entries = try count(limit: WireLimits.maxMapEntries, what)
        if entries == 0 { return [:] }
        guard entries * 2 <= remaining else { throw .truncated }
        var map: [String: String] = [:]
        map.reserveCapacity(entries)
        var previous: String?
        for _ in 0..<entries {
            let key = try string(what)
            // Ascending, as the encoder sorts them: no key twice, no order of our own.
            if let previous, !(previous < key) { throw .invalidValue(what) }
            previous = key
            map[key] = try string(what)
        }
        return map
    }

    public mutating func skip(_ length: Int) throws(WireError) {
        guard length <= remaining else { throw .truncated }
        offset += length
    }
}
