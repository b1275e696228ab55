import CacheRing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WallTime {
    /// The wall clock now, in whole seconds: what HTTP dates and `Age` count in.
    public static var current: WallTime { WallTime(seconds: Int64(time(nil))) }
}
