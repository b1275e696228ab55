import NIOCore

/// Durations as written in configs and flags: `250ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
public enum DurationText {
    public static func parse(_ text: String) -> TimeAmount? {
        let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        for (suffix, nanos) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return .nanoseconds(Int64(value * Double(nanos)))
        }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
        return .nanoseconds(Int64(seconds * 1e9))
    }
}
