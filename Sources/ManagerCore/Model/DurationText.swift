/// Durations as written in configs and flags: `250ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3_600e9)]
        for (suffix, nanos) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            guard let value = Double(number), value >= 0, value.isFinite, value * nanos < 9e18 else { return nil }
            return .nanoseconds(Int64(value * nanos))
        }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite, seconds < 9e9 else { return nil }
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Duration {
    /// Whole nanoseconds (durations here are far below the 292 years that fit).
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Seconds as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
