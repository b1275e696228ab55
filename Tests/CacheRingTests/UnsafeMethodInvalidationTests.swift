import XCTest

@testable import CacheRing

final class UnsafeMethodInvalidationTests: XCTestCase {
    private func busts(_ method: String, _ target: String = "/items/7?x=1", status: Int = 200, response: FieldList = [:],
                       template: CacheKeyTemplate = .standard) -> [Invalidation] {
        UnsafeMethodInvalidation.invalidations(
            request: CacheRequest(method: method, host: "Example.com", target: target), status: status, response: response,
            template: template)
    }

    func testASuccessfulUnsafeRequestBustsItsTargetAsAGet() {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            XCTAssertEqual(busts(method), [.resource("GET example.com/items/7?x=1")], method)
        }
        XCTAssertEqual(busts("POST", status: 303), [.resource("GET example.com/items/7?x=1")])
    }

    func testSafeMethodsAndFailuresBustNothing() {
        for method in ["GET", "HEAD", "OPTIONS", "TRACE"] { XCTAssertEqual(busts(method), [], method) }
        XCTAssertEqual(busts("POST", status: 404), [])
        XCTAssertEqual(busts("DELETE", status: 500), [])
    }

    func testLocationAndContentLocationOnTheSameHostOnly() {
        XCTAssertEqual(busts("POST", "/items", status: 201, response: ["Location": "/items/8", "Content-Location": "/items/8"]),
                       [.resource("GET example.com/items"), .resource("GET example.com/items/8")])
        XCTAssertEqual(busts("PUT", "/a", response: ["Content-Location": "HTTPS://EXAMPLE.COM/b?z=2&y=1#top"]),
                       [.resource("GET example.com/a"), .resource("GET example.com/b?y=1&z=2")])
        XCTAssertEqual(busts("PUT", "/a", response: ["Location": "http://example.com:8080/c"]),
                       [.resource("GET example.com/a"), .resource("GET example.com/c")],
                       "the host decides, not the port: keys hold the host alone")
        for elsewhere in ["https://other.example/b", "//other.example/b", "mailto:x@example.com", "b/relative"] {
            XCTAssertEqual(busts("PUT", "/a", response: ["Location": elsewhere]), [.resource("GET example.com/a")], elsewhere)
        }
    }

    func testAnIPv6HostMatchesItsBracketedLocation() {
        let busts = UnsafeMethodInvalidation.invalidations(
            request: CacheRequest(method: "POST", host: "::1", target: "/a"), status: 201,
            response: ["Location": "http://[::1]:8080/b"], template: .standard)
        XCTAssertEqual(busts, [.resource("GET ::1/a"), .resource("GET ::1/b")])
    }

    /// A URL's bust reaches every variant of it, whatever header values its keys hold.
    func testTheBustReachesEveryHeaderVariantOfTheURL() {
        let template = CacheKeyTemplate(headers: ["Accept-Language"])
        let now = WallTime(seconds: 1_700_000_000)
        var store = CacheStore(capacity: 1 << 20)
        for (target, language) in [("/items/7", "en"), ("/items/7", "fr"), ("/items/8", "en")] {
            let key = template.key(for: CacheRequest(method: "GET", host: "example.com", target: target,
                                                     headers: ["Accept-Language": language]))
            let entry = StoredEntry(key: key, varyNames: [], request: [:], route: "r", tags: [],
                                    response: CacheResponse(status: 200), body: [],
                                    freshness: Freshness(lifetime: 60, initialAge: 0, responseTime: now))
            XCTAssertEqual(store.complete(store.beginFill(now: now), with: entry, now: now), .stored)
        }
        for bust in busts("DELETE", "/items/7", template: template) { store.invalidate(bust, now: now) }
        XCTAssertEqual(store.count, 1, "both languages of /items/7 went, /items/8 stays")
    }
}
