import CacheRing
import Prometheus
import Proxy
import XCTest

@testable import MeshNode

/// Each route's entries and bytes where an operator reads them: `/metrics` and the cache stats.
final class RouteFiguresTests: XCTestCase {
    func testEachRouteHasItsGaugesAndARouteThatEmptiedReadsZero() {
        let registry = PrometheusCollectorRegistry()
        var gauges = RouteShareGauges(registry: registry)
        gauges.set(["news": RouteShare(entries: 2, bytes: 900), "shop": RouteShare(entries: 1, bytes: 450)])
        var page = registry.emitToString()
        XCTAssertTrue(page.contains(#"meshgate_cache_route_entries{route="news"} 2"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_bytes{route="shop"} 450"#), page)
        gauges.set(["news": RouteShare(entries: 1, bytes: 450)])
        page = registry.emitToString()
        XCTAssertTrue(page.contains(#"meshgate_cache_route_entries{route="news"} 1"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_entries{route="shop"} 0"#), page)
        XCTAssertTrue(page.contains(#"meshgate_cache_route_bytes{route="shop"} 0"#), page)
    }

    func testTheStatsNameEachRoutesEntriesAndBytes() {
        var figures = CacheFigures(node: "w-1", holdsCache: true)
        figures.store.routes = ["news": RouteShare(entries: 2, bytes: 900)]
        let json = CacheEndpoints.json(figures, vector: nil).serialized()
        XCTAssertTrue(json.contains(#""routes":{"news":{"entries":2,"bytes":900}}"#), json)
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
        XCTAssertEqual(store.figures.routes, [:])
    }
}
