/// A small, fast, seedable generator (xoshiro256**), seeded through SplitMix64.
/// The same seed always yields the same sequence, on every platform.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init(seed: UInt64) {
        var mix = seed
        s0 = SeededRandom.splitMix(&mix)
        s1 = SeededRandom.splitMix(&mix)
        s2 = SeededRandom.splitMix(&mix)
        s3 = SeededRandom.splitMix(&mix)
    }

    /// A generator for one named stream of a run (a node, the network), independent of the others.
    public init(seed: UInt64, stream: UInt64) {
        var mix = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        self.init(seed: SeededRandom.splitMix(&mix))
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform value in [0, 1).
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
