/// FNV-1a, 64 bit, with a final avalanche: the same bytes hash the same on every node and
/// every restart (unlike `hashValue`, which is seeded per process).
public enum StableHash {
    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        // Final avalanche so nearby keys spread over the ring.
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }

    public static func hash(_ text: String) -> UInt64 { hash(text.utf8) }
}
