import XCTest

@testable import CacheRing

final class CacheStoreTests: XCTestCase {
    private let now = WallTime(seconds: 1_700_000_000)

    private func entry(_ path: String, host: String = "example.com", route: String = "r", tags: [String] = [],
                       vary: [String] = [], request: FieldList = [:], body: String = "body") -> StoredEntry {
        let key = CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: host, target: path))
        return StoredEntry(key: key, varyNames: vary, request: request, route: route, tags: tags,
                           response: CacheResponse(status: 200, headers: ["Content-Type": "text/plain"]),
                           body: Array(body.utf8), freshness: Freshness(lifetime: 60, initialAge: 0, responseTime: now))
    }

    private func fill(_ store: inout CacheStore, _ entry: StoredEntry) {
        XCTAssertEqual(store.complete(store.beginFill(now: now), with: entry, now: now), .stored)
    }

    private func has(_ store: inout CacheStore, _ path: String, host: String = "example.com", request: FieldList = [:]) -> Bool {
        store.lookup(CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: host, target: path)), request: request) != nil
    }

    func testAStoredResponseIsFoundByItsKeyAndCounted() {
        var store = CacheStore(capacity: 1 << 20)
        fill(&store, entry("/a", body: "hello"))
        let found = store.lookup(entry("/a").key, request: [:])
        XCTAssertEqual(found.map { String(decoding: $0.body, as: UTF8.self) }, "hello")
        XCTAssertFalse(has(&store, "/b"))
        XCTAssertEqual(store.stats.hits, 1)
        XCTAssertEqual(store.stats.misses, 1)
        XCTAssertEqual(store.count, 1)
        XCTAssertEqual(store.bytes, entry("/a", body: "hello").size)
    }

    func testStoringTheSameVariantAgainReplacesIt() {
        var store = CacheStore(capacity: 1 << 20)
        fill(&store, entry("/a", body: "old"))
        fill(&store, entry("/a", body: "newer"))
        XCTAssertEqual(store.count, 1)
        XCTAssertEqual(store.bytes, entry("/a", body: "newer").size)
        XCTAssertEqual(store.lookup(entry("/a").key, request: [:]).map { String(decoding: $0.body, as: UTF8.self) }, "newer")
    }

    func testVariantsAreStoredPerRequestValueOfTheFieldsVaryNames() {
        var store = CacheStore(capacity: 1 << 20)
        fill(&store, entry("/a", vary: ["accept-encoding"], request: ["Accept-Encoding": "gzip"], body: "zipped"))
        fill(&store, entry("/a", vary: ["accept-encoding"], request: [:], body: "plain"))
        XCTAssertEqual(store.count, 2)
        XCTAssertEqual(store.lookup(entry("/a").key, request: ["accept-encoding": " gzip"]).map(\.body), Array("zipped".utf8))
        XCTAssertEqual(store.lookup(entry("/a").key, request: [:]).map(\.body), Array("plain".utf8))
        XCTAssertFalse(has(&store, "/a", request: ["Accept-Encoding": "br"]))
        XCTAssertEqual(store.invalidate(.key(entry("/a").key.text), now: now), 2, "a key bust drops every variant")
    }

    func testTheStoreStaysWithinItsBytesAndKeepsWhatIsHit() {
        let size = entry("/hot").size
        var store = CacheStore(capacity: size * 20)
        fill(&store, entry("/hot"))
        for i in 0..<200 {
            XCTAssertTrue(has(&store, "/hot"), "the hot entry survives a scan of one-hit entries (\(i))")
            fill(&store, entry("/once-\(i)"))
            XCTAssertLessThanOrEqual(store.bytes, store.capacity)
        }
        XCTAssertGreaterThan(store.stats.evicted, 150)
        XCTAssertEqual(store.complete(store.beginFill(now: now), with: entry("/big", body: String(repeating: "x", count: size * 20)), now: now),
                       .tooLarge)
    }

    func testBustsByKeyPrefixPathTagRouteAndAll() {
        var store = CacheStore(capacity: 1 << 20)
        fill(&store, entry("/news/1", route: "news", tags: ["story-1", "home"]))
        fill(&store, entry("/news/2", route: "news", tags: ["story-2"]))
        fill(&store, entry("/newsletter", route: "mail"))
        fill(&store, entry("/shop/1", route: "shop", tags: ["home"]))
        fill(&store, entry("/shop/1", host: "other.example", route: "shop"))

        XCTAssertEqual(store.invalidate(.tag("home"), now: now), 2)
        XCTAssertFalse(has(&store, "/news/1"))
        XCTAssertFalse(has(&store, "/shop/1"))
        XCTAssertTrue(has(&store, "/shop/1", host: "other.example"))

        XCTAssertEqual(store.invalidate(.prefix("/news/"), now: now), 1)
        XCTAssertTrue(has(&store, "/newsletter"), "a prefix is matched on the path as written")
        XCTAssertEqual(store.invalidate(.route("shop"), now: now), 1)
        XCTAssertEqual(store.invalidate(.key(entry("/nothing").key.text), now: now), 0)
        XCTAssertEqual(store.count, 1)

        fill(&store, entry("/x"))
        fill(&store, entry("/p?a=1"))
        fill(&store, entry("/p?a=2", host: "other.example"))
        fill(&store, entry("/p/q"))
        XCTAssertEqual(store.invalidate(.path("/p"), now: now), 2, "a path on every host, whatever the query, not below it")
        XCTAssertEqual(store.invalidate(.all, now: now), 3)
        XCTAssertEqual(store.count, 0)
        XCTAssertEqual(store.bytes, 0)
        fill(&store, entry("/after"))
        XCTAssertTrue(has(&store, "/after"), "the store works after a bust of everything")
        XCTAssertEqual(store.stats.invalidated, 9)
    }

    func testEachRouteCountsItsEntriesAndBytesAsTheyComeAndGoAndWhatBustsRemoved() {
        var store = CacheStore(capacity: 1 << 20)
        let (news1, news2) = (entry("/news/1", route: "news", tags: ["home"]), entry("/news/2", route: "news"))
        let shop = entry("/shop/1", route: "shop", tags: ["home"], body: "longer body")
        for stored in [news1, news2, shop] { fill(&store, stored) }
        XCTAssertEqual(store.routes, ["news": RouteShare(entries: 2, bytes: news1.size + news2.size),
                                      "shop": RouteShare(entries: 1, bytes: shop.size)])

        let replacement = entry("/news/2", route: "news", body: "a replacement")
        fill(&store, replacement)
        XCTAssertEqual(store.routes["news"], RouteShare(entries: 2, bytes: news1.size + replacement.size))
        let validated = CacheResponse(status: 200, headers: ["Content-Type": "text/plain", "ETag": "\"a-longer-validator\""])
        XCTAssertTrue(store.refresh(news1.key, request: [:], response: validated, freshness: news1.freshness))
        XCTAssertEqual(store.routes.values.map(\.bytes).reduce(0, +), store.bytes, "a 304's new head counts for its route")
        XCTAssertEqual(store.invalidate(.tag("home"), now: now), 2)
        XCTAssertEqual(store.routes, ["news": RouteShare(entries: 1, bytes: replacement.size, invalidated: 1),
                                      "shop": RouteShare(entries: 0, bytes: 0, invalidated: 1)], "a replacement is no bust")
        fill(&store, entry("/shop/2", route: "shop"))
        XCTAssertEqual(store.invalidate(.all, now: now), 2)
        XCTAssertEqual(store.routes, ["news": RouteShare(invalidated: 2), "shop": RouteShare(invalidated: 2)])
    }

    func testEvictionsTakeFromTheRouteOfWhatTheyEvict() {
        let size = entry("/a/0", route: "a").size
        var store = CacheStore(capacity: size * 10)
        for i in 0..<10 { fill(&store, entry("/a/\(i)", route: "a")) }
        for i in 0..<4 { fill(&store, entry("/b/\(i)", route: "b")) }
        XCTAssertEqual(store.stats.evicted, 4)
        XCTAssertEqual(store.routes.values.map(\.evicted).reduce(0, +), 4)
        XCTAssertEqual(store.routes.values.map(\.invalidated).reduce(0, +), 0)
        XCTAssertEqual(store.routes.values.map(\.entries).reduce(0, +), store.count)
        XCTAssertEqual(store.routes.values.map(\.bytes).reduce(0, +), store.bytes)
        XCTAssertEqual(store.routes["a"].map { $0.bytes / $0.entries }, size)
    }

    /// A fill asks the origin, a bust arrives while the old content is on its way, then the fill
    /// completes: the old content must not be written back. A fill that starts after the bust,
    /// or one the bust does not select, is stored.
    func testAFillThatStartedBeforeABustCannotWriteOldContentBack() {
        for bust in [Invalidation.key(entry("/a").key.text), .prefix("/a"), .path("/a"), .tag("t"), .route("r"), .all] {
            var store = CacheStore(capacity: 1 << 20)
            fill(&store, entry("/a", tags: ["t"], body: "v1"))
            let early = store.beginFill(now: now)
            let unrelated = store.beginFill(now: now)
            store.invalidate(bust, now: now + 1)
            let late = store.beginFill(now: now + 1)
            XCTAssertEqual(store.complete(early, with: entry("/a", tags: ["t"], body: "v1"), now: now + 2), .bustedDuringFill, "\(bust)")
            XCTAssertFalse(has(&store, "/a"), "\(bust)")
            if bust != .all {
                XCTAssertEqual(store.complete(unrelated, with: entry("/zz", route: "z"), now: now + 2), .stored, "\(bust)")
            }
            XCTAssertEqual(store.complete(late, with: entry("/a", tags: ["t"], body: "v2"), now: now + 2), .stored, "\(bust)")
            XCTAssertEqual(store.lookup(entry("/a").key, request: [:]).map(\.body), Array("v2".utf8), "\(bust)")
            XCTAssertEqual(store.stats.refusedFills, 1)
        }
    }

    func testACopyFromAPeerFetchedBeforeABustHereIsRefused() {
        var store = CacheStore(capacity: 1 << 20)
        store.invalidate(.tag("t"), now: now + 5)
        XCTAssertEqual(store.completeCopy(of: entry("/a", tags: ["t"]), now: now + 6), .bustedDuringFill,
                       "its response arrived (at `now`) before the bust")
        XCTAssertEqual(store.completeCopy(of: entry("/b", tags: ["other"]), now: now + 6), .stored, "the bust does not select it")
        var later = entry("/a", tags: ["t"])
        later.freshness.responseTime = now + 6
        XCTAssertEqual(store.completeCopy(of: later, now: now + 7), .stored, "fetched after the bust")
    }

    func testAFillOlderThanTheWindowIsRefusedAndABustIsRememberedForIt() {
        var store = CacheStore(capacity: 1 << 20, fillWindow: 10)
        let slow = store.beginFill(now: now)
        XCTAssertEqual(store.complete(slow, with: entry("/a"), now: now + 11), .ticketExpired)
        let ticket = store.beginFill(now: now + 20)
        store.invalidate(.all, now: now + 20)
        XCTAssertEqual(store.complete(ticket, with: entry("/a"), now: now + 30), .bustedDuringFill)
    }

    func testA304RefreshUpdatesTheHeadAndFreshnessInPlace() {
        var store = CacheStore(capacity: 1 << 20)
        fill(&store, entry("/a"))
        let fresh = Freshness(lifetime: 600, initialAge: 0, responseTime: now + 100)
        let head = CacheResponse(status: 200, headers: ["Content-Type": "text/plain", "ETag": "\"v2\""])
        XCTAssertTrue(store.refresh(entry("/a").key, request: [:], response: head, freshness: fresh))
        let found = store.lookup(entry("/a").key, request: [:])
        XCTAssertEqual(found?.freshness, fresh)
        XCTAssertEqual(found?.response.headers.first("etag"), "\"v2\"")
        XCTAssertEqual(store.bytes, found?.size)
        XCTAssertFalse(store.refresh(entry("/gone").key, request: [:], response: head, freshness: fresh))
    }
}
