import Foundation

/// What this process has used so far, for the cost lines of a report.
enum ProcessUsage {
    /// Peak resident set size in MiB (Linux `VmHWM`), nil where unknown.
    static func peakRSSMiB() -> Double? { statusMiB("VmHWM:") }

    /// Resident set size now in MiB (Linux `VmRSS`), nil where unknown.
    static func currentRSSMiB() -> Double? { statusMiB("VmRSS:") }

    private static func statusMiB(_ field: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return mebibytes(field, inStatus: status)
    }

    /// The value of a `kB` field of a `/proc/PID/status` text, in MiB.
    static func mebibytes(_ field: String, inStatus status: String) -> Double? {
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            // "VmRSS:\t  123456 kB": the number is right-aligned in 8 columns after a tab, so
            // from 10,000,000 kB on no space separates it from the tab.
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kib = Double(fields[1]) else { return nil }
            return kib / 1024
        }
        return nil
    }

    /// User plus system CPU seconds: unlike wall time, it does not grow when other
    /// processes share the cores.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        let who = RUSAGE_SELF.rawValue
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
