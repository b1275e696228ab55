import Foundation

/// The wall clock: what envelopes are stamped with and config versions are dated by.
enum WallClock {
    static func nanoseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
    static func millis() -> Int64 { nanoseconds() / 1_000_000 }
}
