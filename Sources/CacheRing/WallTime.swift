/// A point on the wall clock, in seconds since the Unix epoch: HTTP dates have whole seconds,
/// and `Age` counts them. The cache never reads a clock: the caller passes `now` in.
public struct WallTime: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool { lhs.seconds < rhs.seconds }
    public static func + (lhs: WallTime, rhs: Int) -> WallTime { WallTime(seconds: lhs.seconds &+ Int64(rhs)) }
    public static func - (lhs: WallTime, rhs: WallTime) -> Int { Int(clamping: lhs.seconds &- rhs.seconds) }

    public var description: String { "\(seconds)s" }
}
