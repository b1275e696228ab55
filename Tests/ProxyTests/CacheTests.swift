import CacheRing
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest

@testable import Proxy

/// The response cache on a route with a `cache:` rule, through a real gateway and origin.
final class CacheTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var origin: CacheOrigin!
    private var gateway: GatewayHarness!
    private var store: ResponseStore!

    override func tearDown() async throws {
        await gateway?.stop()
        await origin?.close()
        try await group?.shutdownGracefully()
    }

    /// `cache`: what the gateway consults, the test's store unless given.
    private func start(rule: String = "{ ttl: 60s }", extra: String = "", threads: Int = 1,
                       cache: ((ResponseStore) -> any ResponseCache)? = nil,
                       script: @escaping CacheOrigin.Script) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        origin = try await CacheOrigin(group: group, script: script)
        store = ResponseStore(capacity: 16 << 20)
        gateway = try await GatewayHarness.start(
            yaml: Self.yaml(rule: rule, extra: extra, port: origin.port), threads: threads,
            options: GatewayOptions(cache: cache?(store) ?? store))
    }

    private static func yaml(rule: String = "{ ttl: 60s }", extra: String = "", port: Int) -> String {
        "upstreams:\n" + upstreamYAML("origin", ports: [port])
            + "routes:\n  - { id: cached, upstream: origin, cache: \(rule)\(extra) }\n"
    }

    private static func body(_ index: Int, _ head: HTTPRequestHead) -> String { "\(head.uri) #\(index)" }

    func testAMissIsStoredAndTheNextRequestIsAHitWithAge() async throws {
        try await start { index, head in
            .init(headers: [("Cache-Control", "max-age=300"), ("Cache-Tag", "product-7 catalog"), ("Surrogate-Key", "sk-1")],
                  body: Self.body(index, head))
        }
        let client = try gateway.client()
        let miss = try client.get("/products/7?b=2&a=1")
        XCTAssertEqual(miss.status, 200)
        XCTAssertEqual(miss.header("x-cache"), "MISS")
        XCTAssertEqual(miss.header("cache-status"), "meshgate;fwd=uri-miss;fwd-status=200;ttl=300;stored")
        XCTAssertNil(miss.header("cache-tag"), "the tag fields are the cache's, not the client's")
        XCTAssertNil(miss.header("surrogate-key"))
        XCTAssertEqual(miss.header("age"), "0", "a stored response carries its age from the first")
        let hit = try client.get("/products/7?a=1&b=2")
        XCTAssertEqual(hit.header("x-cache"), "HIT", "query order does not make another key")
        XCTAssertEqual(hit.bodyText, "/products/7?b=2&a=1 #0")
        XCTAssertEqual(hit.header("age"), "0")
        XCTAssertTrue(hit.header("cache-status")?.hasPrefix("meshgate;hit;ttl=") == true)
        XCTAssertNil(hit.header("cache-tag"))
        XCTAssertNotNil(hit.header("x-request-id"))
        XCTAssertEqual(origin.count, 1)
        let head = try gateway.client()
        try head.send("HEAD /products/7?a=1&b=2 HTTP/1.1\r\nHost: test.local\r\n\r\n")
        let headHit = try head.readResponse(headRequest: true)
        XCTAssertEqual(headHit.header("x-cache"), "HIT", "a HEAD is answered from the stored GET")
        XCTAssertEqual(headHit.header("content-length"), String("/products/7?b=2&a=1 #0".utf8.count))
        XCTAssertEqual(origin.count, 1)
        XCTAssertEqual(store.figures.entries, 1)
        XCTAssertEqual(store.invalidate(.tag("sk-1"), now: .current), 1, "both fields' members are the entry's tags")
    }

    /// `CDN-Cache-Control` governs this cache over `Cache-Control`, and both go on to the
    /// client; a stored response's `Age` counts the age it arrived with.
    func testCDNCacheControlGovernsAndAgeCountsFromTheOrigin() async throws {
        try await start(rule: "{}") { index, head in
            .init(headers: [("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=600"), ("Age", "30")],
                  body: Self.body(index, head))
        }
        let client = try gateway.client()
        let miss = try client.get("/cdn")
        XCTAssertEqual(miss.header("x-cache"), "MISS")
        XCTAssertEqual(miss.header("age"), "30")
        XCTAssertEqual(miss.header("cdn-cache-control"), "max-age=600")
        XCTAssertEqual(miss.header("cache-control"), "no-store", "the client's caches keep their own rule")
        let hit = try client.get("/cdn")
        XCTAssertEqual(hit.header("x-cache"), "HIT")
        XCTAssertEqual(hit.header("age"), "30")
        XCTAssertEqual(origin.count, 1)
    }

    func testTheRouteCountsWhatTheCacheDidForItsRequests() async throws {
        try await start { index, head in
            .init(headers: [("Cache-Control", head.uri == "/s" ? "max-age=0" : "max-age=60"), ("ETag", "\"1\"")],
                  body: Self.body(index, head))
        }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/a").header("x-cache"), "MISS")
        XCTAssertEqual(try client.get("/a").header("x-cache"), "HIT")
        XCTAssertEqual(try client.get("/a").header("x-cache"), "HIT")
        XCTAssertEqual(try client.get("/s").header("x-cache"), "MISS")
        XCTAssertEqual(try client.get("/s", headers: ["Cache-Control": "max-stale=600"]).header("x-cache"), "STALE")
        try client.send("POST /a HTTP/1.1\r\nHost: test.local\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(try client.readResponse().status, 200)
        let counted = CacheOutcomes(hits: 2, misses: 2, staleServed: 1, bypass: 1)
        XCTAssertEqual(gateway.gateway.cacheOutcomes, ["cached": counted])
        XCTAssertEqual(counted.upstreamFetchesSaved, 3, "the hits and the stale serve never reached the origin")
        XCTAssertEqual(origin.count, 3)
        try gateway.apply(Self.yaml(rule: "{ ttl: 30s }", port: origin.port))
        XCTAssertEqual(gateway.gateway.cacheOutcomes, ["cached": counted], "a changed route keeps its counts")
    }

    func testANearCacheCopyCountsAsAHitAndANearHit() async throws {
        try await start(cache: { NearCopies(store: $0) }) { index, head in
            .init(headers: [("Cache-Control", "max-age=60")], body: Self.body(index, head))
        }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/n").header("x-cache"), "MISS")
        XCTAssertEqual(try client.get("/n").header("x-cache"), "HIT")
        XCTAssertEqual(gateway.gateway.cacheOutcomes, ["cached": CacheOutcomes(hits: 1, nearHits: 1, misses: 1)])
    }

    func testARuleCanNameItsOwnTagField() async throws {
        try await start(rule: "{ ttl: 60s, tag_header: X-Tags }") { index, head in
            .init(headers: [("X-Tags", "a, b"), ("Cache-Tag", "not-a-tag")], body: Self.body(index, head))
        }
        let miss = try gateway.client().get("/t")
        XCTAssertNil(miss.header("x-tags"))
        XCTAssertEqual(miss.header("cache-tag"), "not-a-tag", "another field is the origin's own")
        XCTAssertEqual(store.invalidate(.tag("not-a-tag"), now: .current), 0)
        XCTAssertEqual(store.invalidate(.tag("b"), now: .current), 1)
    }

    func testWhatMustNotBeStoredIsNot() async throws {
        try await start { index, head in
            switch head.uri {
            case "/no-store": .init(headers: [("Cache-Control", "no-store")], body: Self.body(index, head))
            case "/private": .init(headers: [("Cache-Control", "private, max-age=60")], body: Self.body(index, head))
            case "/vary-star": .init(headers: [("Vary", "*")], body: Self.body(index, head))
            case "/error": .init(status: .internalServerError, body: Self.body(index, head))
            case "/cookie": .init(headers: [("Cache-Control", "max-age=60"), ("Set-Cookie", "session=a")], body: Self.body(index, head))
            default: .init(body: Self.body(index, head))
            }
        }
        let client = try gateway.client()
        for path in ["/no-store", "/private", "/vary-star", "/error", "/cookie"] {
            XCTAssertEqual(try client.get(path).header("cache-status")?.contains("stored"), false, path)
            XCTAssertEqual(try client.get(path).header("x-cache"), "MISS", path)
        }
        // A response to a request with credentials is not shared unless it says so.
        _ = try client.get("/mine", headers: ["Authorization": "Bearer a"])
        XCTAssertEqual(try client.get("/mine").header("x-cache"), "MISS")
        XCTAssertEqual(origin.count, 12)
        XCTAssertEqual(store.figures.entries, 1, "only /mine's second, credential-free response is stored")
    }

    func testEmptyRuleStoresOnlyWhatTheOriginMarksFresh() async throws {
        try await start(rule: "{}") { index, head in
            head.uri == "/fresh"
                ? .init(headers: [("Cache-Control", "s-maxage=30, max-age=5")], body: Self.body(index, head))
                : .init(headers: [("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")], body: Self.body(index, head))
        }
        let client = try gateway.client()
        _ = try client.get("/fresh")
        let hit = try client.get("/fresh")
        XCTAssertEqual(hit.header("x-cache"), "HIT")
        XCTAssertTrue(hit.header("cache-status")?.contains("ttl=30") == true, "s-maxage wins over max-age")
        _ = try client.get("/heuristic")
        XCTAssertEqual(try client.get("/heuristic").header("x-cache"), "MISS", "no heuristic freshness")
        XCTAssertEqual(origin.count, 3)
    }

    func testVaryKeepsAVariantPerValue() async throws {
        try await start { index, head in
            .init(headers: [("Cache-Control", "max-age=60"), ("Vary", "Accept-Encoding")],
                  body: "\(head.headers.first(name: "accept-encoding") ?? "none") #\(index)")
        }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/v", headers: ["Accept-Encoding": "gzip"]).bodyText, "gzip #0")
        XCTAssertEqual(try client.get("/v", headers: ["Accept-Encoding": "br"]).bodyText, "br #1")
        XCTAssertEqual(try client.get("/v", headers: ["Accept-Encoding": "gzip"]).bodyText, "gzip #0")
        XCTAssertEqual(try client.get("/v", headers: ["Accept-Encoding": "br"]).header("x-cache"), "HIT")
        XCTAssertEqual(try client.get("/v").bodyText, "none #2")
        XCTAssertEqual(origin.count, 3)
    }

    func testAStaleEntryIsValidatedAndA304RefreshesIt() async throws {
        try await start { index, head in
            if head.headers.first(name: "if-none-match") == "\"v1\"" {
                return .init(status: .notModified, headers: [("Cache-Control", "max-age=60"), ("ETag", "\"v1\"")])
            }
            return .init(headers: [("Cache-Control", "no-cache"), ("ETag", "\"v1\"")], body: "body #\(index)")
        }
        let client = try gateway.client()
        _ = try client.get("/doc")
        let validated = try client.get("/doc")
        XCTAssertEqual(validated.bodyText, "body #0", "the stored body is served after a 304")
        XCTAssertEqual(validated.header("cache-status"), "meshgate;fwd=stale;fwd-status=304;ttl=60")
        XCTAssertEqual(origin.requests[1].headers.first(name: "if-none-match"), "\"v1\"")
        let hit = try client.get("/doc")
        XCTAssertEqual(hit.header("x-cache"), "HIT", "the 304's max-age replaced the stored no-cache")
        XCTAssertEqual(origin.count, 2)
    }

    func testAClientsConditionalRequestIsAnswered304FromAFreshEntry() async throws {
        try await start { index, _ in
            .init(headers: [("Cache-Control", "max-age=60"), ("ETag", "W/\"e7\"")], body: "body #\(index)")
        }
        let client = try gateway.client()
        _ = try client.get("/doc")
        let conditional = try gateway.client()
        try conditional.send("GET /doc HTTP/1.1\r\nHost: test.local\r\nIf-None-Match: \"x\", \"e7\"\r\n\r\n")
        let answer = try conditional.readResponse(headRequest: true)
        XCTAssertEqual(answer.status, 304)
        XCTAssertEqual(answer.header("etag"), "W/\"e7\"")
        XCTAssertEqual(answer.header("x-cache"), "HIT")
        XCTAssertEqual(try conditional.get("/doc").bodyText, "body #0", "the connection goes on")
        XCTAssertEqual(origin.count, 1)
    }

    func testConcurrentMissesMakeOneOriginRequest() async throws {
        try await start { index, head in
            .init(headers: [("Cache-Control", "max-age=60")], body: Self.body(index, head), delay: .milliseconds(300))
        }
        let clients = try (0..<100).map { _ in try gateway.client(timeout: 20) }
        for client in clients { try client.send("GET /hot HTTP/1.1\r\nHost: test.local\r\n\r\n") }
        let answers = try clients.map { try $0.readResponse() }
        XCTAssertEqual(origin.count, 1, "100 concurrent misses of one key make one origin request")
        XCTAssertTrue(answers.allSatisfy { $0.bodyText == "/hot #0" })
        // Requests sent while the fill was in flight waited for it (`collapsed`); any sent after
        // it ended found the entry. Either way they are hits, and one request led the fill.
        XCTAssertEqual(answers.filter { $0.header("x-cache") == "MISS" }.count, 1)
        XCTAssertEqual(answers.filter { $0.header("x-cache") == "HIT" }.count, 99)
        XCTAssertGreaterThan(answers.filter { $0.header("cache-status")?.contains("collapsed") == true }.count, 0)
    }

    func testASuccessfulUnsafeMethodBustsItsTarget() async throws {
        try await start { index, head in
            head.method == .POST
                ? .init(status: .created, headers: [("Location", "/items/9")], body: "made")
                : .init(headers: [("Cache-Control", "max-age=60")], body: Self.body(index, head))
        }
        let client = try gateway.client()
        for path in ["/items", "/items/9", "/other"] { _ = try client.get(path) }
        XCTAssertEqual(try client.get("/items").header("x-cache"), "HIT")
        try client.send("POST /items HTTP/1.1\r\nHost: test.local\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(try client.readResponse().status, 201)
        XCTAssertEqual(try client.get("/items").header("x-cache"), "MISS")
        XCTAssertEqual(try client.get("/items/9").header("x-cache"), "MISS", "Location on the same host is busted too")
        XCTAssertEqual(try client.get("/other").header("x-cache"), "HIT")
    }

    func testAStaleEntryIsServedWhenTheOriginFailsAndItAllowsIt() async throws {
        try await start { index, head in
            .init(headers: [("Cache-Control", "max-age=0, stale-if-error=600"), ("ETag", "\"1\"")], body: Self.body(index, head))
        }
        let client = try gateway.client()
        _ = try client.get("/s")
        origin.answer { _, _ in .init(status: .serviceUnavailable, body: "down") }
        let stale = try client.get("/s")
        XCTAssertEqual(stale.status, 200)
        XCTAssertEqual(stale.bodyText, "/s #0")
        XCTAssertEqual(stale.header("x-cache"), "STALE")
        await origin.close()
        let unreachable = try client.get("/s")
        XCTAssertEqual(unreachable.bodyText, "/s #0", "an origin that cannot be reached is covered as well")
        XCTAssertEqual(unreachable.header("x-cache"), "STALE")
    }

    func testBodiesOverTheLargestObjectAreNotStored() async throws {
        try await start(rule: "{ ttl: 60s, max_object_size: 100 }") { index, head in
            .init(body: head.uri == "/big" ? String(repeating: "x", count: 500) : "small")
        }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/big").body.count, 500)
        XCTAssertEqual(try client.get("/big").header("x-cache"), "MISS")
        _ = try client.get("/small")
        XCTAssertEqual(try client.get("/small").header("x-cache"), "HIT")
        XCTAssertEqual(store.figures.entries, 1)
    }

    func testStaleWhileRevalidateServesStaleAndValidatesInTheBackground() async throws {
        try await start { index, head in
            if head.headers.first(name: "if-none-match") == "\"r1\"" {
                return .init(status: .notModified, headers: [("Cache-Control", "max-age=600"), ("ETag", "\"r1\"")])
            }
            return .init(headers: [("Cache-Control", "max-age=0, stale-while-revalidate=600"), ("ETag", "\"r1\"")],
                         body: "v #\(index)")
        }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/swr").header("x-cache"), "MISS")
        let stale = try client.get("/swr")
        XCTAssertEqual(stale.header("x-cache"), "STALE", "served at once, within the window")
        XCTAssertEqual(stale.bodyText, "v #0")
        var fresh: RawClient.Response?
        for _ in 0..<200 {
            let answer = try client.get("/swr")
            if answer.header("x-cache") == "HIT" { fresh = answer; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(fresh?.bodyText, "v #0", "the background 304 made the stored entry fresh again")
        XCTAssertEqual(origin.requests.filter { $0.headers.first(name: "if-none-match") == "\"r1\"" }.count, 1,
                       "one validation, however many stale answers went out meanwhile")
    }

    func testOnlyIfCachedIsAnsweredFromTheCacheOr504() async throws {
        try await start { index, head in .init(headers: [("Cache-Control", "max-age=60")], body: Self.body(index, head)) }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/o", headers: ["Cache-Control": "only-if-cached"]).status, 504)
        XCTAssertEqual(origin.count, 0, "nothing reached the origin")
        _ = try client.get("/o")
        let stored = try client.get("/o", headers: ["Cache-Control": "only-if-cached"])
        XCTAssertEqual(stored.status, 200)
        XCTAssertEqual(stored.header("x-cache"), "HIT")
        XCTAssertEqual(origin.count, 1)
    }

    func testADebuggingRuleNamesTheKeyInCacheStatus() async throws {
        try await start(rule: "{ ttl: 60s, debug: true }") { index, head in .init(body: Self.body(index, head)) }
        let client = try gateway.client()
        XCTAssertEqual(try client.get("/d?b=1&a=2").header("cache-status"),
                       #"meshgate;fwd=uri-miss;fwd-status=200;ttl=60;stored;key="GET test.local/d?a=2&b=1""#)
        let hit = try client.get("/d?a=2&b=1").header("cache-status") ?? ""
        XCTAssertTrue(hit.hasPrefix("meshgate;hit;ttl=") && hit.hasSuffix(#";key="GET test.local/d?a=2&b=1""#), hit)
    }
}

/// Answers every stored entry as a near-cache copy of another node's.
private struct NearCopies: ResponseCache {
    let store: ResponseStore

    func lookup(_ key: CacheKey, request: FieldList, route: String, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        let lookup = store.lookup(key, request: request, route: route, now: now, on: loop)
        guard case .hit(let entry) = lookup else { return lookup }
        return .near(entry)
    }

    func fill(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        store.fill(key, request: request, now: now, on: loop)
    }

    func refresh(_ key: CacheKey, request: FieldList, response: CacheResponse, freshness: Freshness) -> Bool {
        store.refresh(key, request: request, response: response, freshness: freshness)
    }

    func bust(_ invalidation: Invalidation, now: WallTime) {
        store.bust(invalidation, now: now)
    }
}
