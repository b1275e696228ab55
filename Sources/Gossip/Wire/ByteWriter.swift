/// Appends wire primitives to a byte array: LEB128 varints, fixed little-endian
/// integers, length-prefixed UTF-8 strings and byte strings.
public struct ByteWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    public mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    public mutating func u64(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    public mutating func varint(_ value: UInt64) {
        ByteWriter.appendVarint(value, to: &bytes)
    }

    /// Appends `value` as a LEB128 varint to any byte array.
    public static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func varint(_ value: Int) {
        varint(UInt64(max(0, value)))
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func byteString(_ value: [UInt8]) {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    public mutating func map(_ value: [String: String]) {
        varint(value.count)
        guard !value.isEmpty else { return }
        for key in value.keys.sorted() {
            string(key)
            string(value[key]!)
        }
    }

    public static func varintSize(_ value: Int) -> Int {
        var v = UInt64(max(0, value))
        var size = 1
        while v >= 0x80 { v >>= 7; size += 1 }
        return size
    }
}
