import CacheRing
import Prometheus
import Proxy
import XCTest

@testable import MeshNode

/// Each route's entries and bytes where an operator reads them: `/metrics` and the cache stats.
final class RouteFiguresTests: XCTestCase {
    func testEachRouteHasItsGaugesAndEvictionCounters() {
        let registry = PrometheusCollectorRegistry()
        var metrics = RouteShareMetrics(registry: registry)
        metrics.set(["news": RouteShare(entries: 2, bytes: 900, evicted: 3), "shop": RouteShare(entries: 1, bytes: 450)])
        var page = registry.emitToString()
        XCTAssertTrue(page.contains(#"meshgate_cache_route_entries{route="news"} 2"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_bytes{route="shop"} 450"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_evictions_total{route="news",reason="capacity"} 3"#), page)
        XCTAssertFalse(page.contains(#"route_evictions_total{route="shop""#), "no series before a route's first eviction")
        metrics.set(["news": RouteShare(entries: 1, bytes: 450, evicted: 4, invalidated: 2), "shop": RouteShare(invalidated: 1)])
        page = registry.emitToString()
        XCTAssertTrue(page.contains(#"meshgate_cache_route_entries{route="news"} 1"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_entries{route="shop"} 0"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_evictions_total{route="news",reason="capacity"} 4"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_evictions_total{route="news",reason="bust"} 2"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_evictions_total{route="shop",reason="bust"} 1"#), page)
    }

    func testTheStatsNameEachRoutesFigures() {
        var figures = CacheFigures(node: "w-1", holdsCache: true)
        figures.store.routes = ["news": RouteShare(entries: 2, bytes: 900, evicted: 1, invalidated: 4)]
        figures.outcomes = ["news": CacheOutcomes(hits: 5, nearHits: 2, misses: 3, staleServed: 1, coalesced: 4),
                            "shop": CacheOutcomes(hits: 1, bypass: 6)]
        let json = CacheEndpoints.json(figures, vector: nil).serialized()
        XCTAssertTrue(json.contains(#""news":{"entries":2,"bytes":900,"evicted":1,"invalidated":4,"requests":{"hits":5,"near_hits":2,"#
                                    + #""misses":3,"stale_served":1,"revalidated":0,"bypass":0,"coalesced":4,"upstream_fetches_saved":6}}"#),
                      json)
        XCTAssertTrue(json.contains(#""shop":{"entries":0,"bytes":0,"evicted":0,"invalidated":0,"requests":{"hits":1,"near_hits":0,"#
                                    + #""misses":0,"stale_served":0,"revalidated":0,"bypass":6,"coalesced":0,"upstream_fetches_saved":1}}"#),
                      "a route with requests and nothing in this node's share: \(json)")
        XCTAssertTrue(json.contains(#""requests":{"hits":6,"near_hits":2,"misses":3,"stale_served":1,"revalidated":0,"bypass":6,"#
                                    + #""coalesced":4,"upstream_fetches_saved":7},"routes""#), "the node's totals: \(json)")
    }

    func testAStoreFillsTheFiguresTheNodeReports() {
        let store = ResponseStore(capacity: 1 << 20)
        let now = WallTime(seconds: 1_700_000_000)
        let key = CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: "h", target: "/a"))
        let entry = StoredEntry(key: key, varyNames: [], request: [:], route: "news", tags: [], response: CacheResponse(status: 200),
                                body: Array("body".utf8), freshness: Freshness(lifetime: 60, initialAge: 0, responseTime: now))
        store.store(entry, ticket: store.beginFill(now: now), now: now)
        XCTAssertEqual(store.figures.routes, ["news": RouteShare(entries: 1, bytes: entry.size)])
        store.invalidate(.route("news"), now: now)
        XCTAssertEqual(store.figures.routes, ["news": RouteShare(invalidated: 1)])
    }
}
