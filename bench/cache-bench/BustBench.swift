import CacheRing

/// Busts over a store of 1M entries (small bodies, two tags each, four routes): the median of 5
/// busts that select nothing (a full scan), then one bust each by tag, prefix and route.
enum BustBench {
    static func run() {
        let total = 1_000_000
        var store = CacheStore(capacity: 1 << 40)
        let clock = ContinuousClock()
        let now = WallTime(seconds: 1_700_000_000)
        let fill = clock.measure {
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
        var scans: [Duration] = []
        for _ in 0..<5 {
            scans.append(clock.measure { store.invalidate(.tag("absent"), now: now) })
        }
        print("bust selecting nothing (full scan), median of 5: \(scans.sorted()[2])")
        for (name, invalidation) in [("tag section-3", Invalidation.tag("section-3")),
                                     ("prefix /news/4", .prefix("/news/4")), ("route route-1", .route("route-1"))] {
            var removed = 0
            let elapsed = clock.measure { removed = store.invalidate(invalidation, now: now) }
            print("bust by \(name): \(removed) entries removed of \(removed + store.count) in \(elapsed)")
        }
    }
}
