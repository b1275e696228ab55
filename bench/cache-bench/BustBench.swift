import CacheRing
import Glibc

/// Busts over a store of 1M entries (small bodies, two tags each, four routes): the median of 5
/// busts that select nothing (a full scan), then one bust each by tag, prefix and route, and one
/// of everything that is left by the prefix `/`. Each
/// time is wall clock and this thread's CPU time, which other work on the machine does not inflate.
enum BustBench {
    struct Timing: CustomStringConvertible {
        let wall: Duration, cpu: Duration
        var description: String { "\(milliseconds(wall)) ms wall, \(milliseconds(cpu)) ms CPU" }
        func milliseconds(_ d: Duration) -> String { fixed(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15, 1) }
    }

    static func time(_ body: () -> Void) -> Timing {
        let cpuStart = threadCPU()
        let wall = ContinuousClock().measure(body)
        return Timing(wall: wall, cpu: threadCPU() - cpuStart)
    }

    static func threadCPU() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    static func run() {
        let total = 1_000_000
        var store = CacheStore(capacity: 1 << 40)
        let now = WallTime(seconds: 1_700_000_000)
        let fill = time {
            let freshness = Freshness(lifetime: 60, initialAge: 0, responseTime: now)
            let body = [UInt8](repeating: 0x61, count: 100)
            for i in 0..<total {
                let path = "/news/\(i % 100)/item-\(i)"
                let key = CacheKey(text: "GET example.com" + path, host: "example.com", path: path)
                let entry = StoredEntry(
                    key: key, varyNames: [], request: [:], route: "route-\(i % 4)",
                    tags: ["story-\(i % 1000)", "section-\(i % 10)"],
                    response: CacheResponse(status: 200, headers: ["Content-Type": "text/plain"]), body: body,
                    freshness: freshness)
                store.complete(store.beginFill(now: now), with: entry, now: now)
            }
        }
        print("filled \(store.count) entries, \(store.bytes >> 20) MiB accounted, in \(fill)")
        var scans: [Timing] = []
        for _ in 0..<5 {
            scans.append(time { store.invalidate(.tag("absent"), now: now) })
        }
        print("bust selecting nothing (full scan), median of 5: \(scans.sorted { $0.wall < $1.wall }[2])")
        for (name, invalidation) in [("tag section-3", Invalidation.tag("section-3")),
                                     ("prefix /news/4", .prefix("/news/4")), ("route route-1", .route("route-1")),
                                     ("prefix / (everything left)", .prefix("/"))] {
            var removed = 0
            let elapsed = time { removed = store.invalidate(invalidation, now: now) }
            print("bust by \(name): \(removed) entries removed of \(removed + store.count) in \(elapsed)")
        }
    }
}
