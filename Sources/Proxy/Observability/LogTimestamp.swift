#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall-clock time of access log lines, formatted once a second: UTC in ISO 8601
/// (`2026-12-06T20:35:53.123Z`, milliseconds added per line) for JSON, and local time as
/// nginx writes `$time_local` (`06/Dec/2026:20:35:53 +0000`) for the combined format.
struct LogTimestamp {
    private var second = -1
    private var milliseconds = 0
    private var iso: [UInt8] = []
    private var local: [UInt8] = []

    /// Reads the clock; the texts are formatted again when the second changed.
    mutating func update() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        milliseconds = Int(now.tv_nsec / 1_000_000)
        guard now.tv_sec != second else { return }
        second = now.tv_sec
        var seconds = now.tv_sec
        var utc = tm()
        gmtime_r(&seconds, &utc)
        iso = Self.format { w in
            w.padded(Int(utc.tm_year) + 1900, width: 4)
            w.byte(UInt8(ascii: "-"))
            w.padded(Int(utc.tm_mon) + 1, width: 2)
            w.byte(UInt8(ascii: "-"))
            w.padded(Int(utc.tm_mday), width: 2)
            w.byte(UInt8(ascii: "T"))
            Self.clock(utc, &w)
        }
        var zoned = tm()
        localtime_r(&seconds, &zoned)
        local = Self.format { w in
            let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            w.padded(Int(zoned.tm_mday), width: 2)
            w.byte(UInt8(ascii: "/"))
            w.raw(months[Int(zoned.tm_mon)])
            w.byte(UInt8(ascii: "/"))
            w.padded(Int(zoned.tm_year) + 1900, width: 4)
            w.byte(UInt8(ascii: ":"))
            Self.clock(zoned, &w)
            let offset = zoned.tm_gmtoff / 60
            w.byte(UInt8(ascii: " "))
            w.byte(UInt8(ascii: offset < 0 ? "-" : "+"))
            w.padded(abs(offset) / 60, width: 2)
            w.padded(abs(offset) % 60, width: 2)
        }
    }

    /// `2026-12-06T20:35:53.123Z`
    func writeISO(_ w: inout LineWriter) {
        w.raw(iso)
        w.byte(UInt8(ascii: "."))
        w.padded(milliseconds, width: 3)
        w.byte(UInt8(ascii: "Z"))
    }

    /// `06/Dec/2026:20:35:53 +0000`
    func writeLocal(_ w: inout LineWriter) {
        w.raw(local)
    }

    private static func clock(_ time: tm, _ w: inout LineWriter) {
        w.padded(Int(time.tm_hour), width: 2)
        w.byte(UInt8(ascii: ":"))
        w.padded(Int(time.tm_min), width: 2)
        w.byte(UInt8(ascii: ":"))
        w.padded(Int(time.tm_sec), width: 2)
    }

    private static func format(_ body: (inout LineWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            var w = LineWriter(UnsafeMutableRawBufferPointer(buffer))
            body(&w)
            count = w.count
        }
    }
}
