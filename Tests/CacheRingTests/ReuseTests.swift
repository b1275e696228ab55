import XCTest

@testable import CacheRing

/// Serving a stored response: fresh, stale while revalidating, on errors, or validated first.
final class ReuseTests: XCTestCase {
    private let arrived = WallTime(seconds: 1_700_000_000)

    private func freshness(_ cacheControl: String, initialAge: Int = 0) -> Freshness {
        let decision = Storability.evaluate(
            request: CacheRequest(method: "GET", host: "h", target: "/", headers: [:]),
            response: CacheResponse(status: 200, headers: ["Cache-Control": cacheControl, "Age": "\(initialAge)"]),
            requestTime: arrived, responseTime: arrived, rules: CacheRules())
        guard case .store(let freshness) = decision else { fatalError("\(cacheControl) is stored") }
        return freshness
    }

    private func reuse(_ f: Freshness, after seconds: Int, request: FieldList = [:]) -> Reuse {
        Reuse.decide(f, request: request, now: arrived + seconds)
    }

    func testFreshUntilItsAgeReachesItsLifetime() {
        let f = freshness("max-age=60", initialAge: 20)
        XCTAssertEqual(reuse(f, after: 0), .fresh)
        XCTAssertEqual(reuse(f, after: 39), .fresh)
        XCTAssertEqual(reuse(f, after: 40), .validate, "age 60 of 60: stale")
    }

    func testStaleWhileRevalidateServesWithinItsWindow() {
        let f = freshness("max-age=10, stale-while-revalidate=30")
        XCTAssertEqual(reuse(f, after: 5), .fresh)
        XCTAssertEqual(reuse(f, after: 10), .stale(revalidate: true))
        XCTAssertEqual(reuse(f, after: 39), .stale(revalidate: true))
        XCTAssertEqual(reuse(f, after: 40), .validate)
    }

    func testRevalidationDirectivesForbidStaleUse() {
        for directives in ["max-age=10, stale-while-revalidate=30, must-revalidate",
                           "max-age=10, stale-while-revalidate=30, proxy-revalidate",
                           "s-maxage=10, stale-while-revalidate=30"] {
            let f = freshness(directives + ", stale-if-error=600")
            XCTAssertEqual(reuse(f, after: 9), .fresh, directives)
            XCTAssertEqual(reuse(f, after: 11), .validate, directives)
            XCTAssertEqual(reuse(f, after: 11, request: ["Cache-Control": "max-stale"]), .validate, directives)
            XCTAssertFalse(Reuse.servesOnError(f, request: [:], now: arrived + 11), directives)
        }
        XCTAssertEqual(reuse(freshness("no-cache, max-age=600"), after: 1), .validate, "no-cache: validated every time")
    }

    func testStaleIfErrorServesOnAnOriginFailureWithinItsWindow() {
        let f = freshness("max-age=10, stale-if-error=60")
        XCTAssertTrue(Reuse.servesOnError(f, request: [:], now: arrived + 69))
        XCTAssertFalse(Reuse.servesOnError(f, request: [:], now: arrived + 70))
        XCTAssertEqual(reuse(f, after: 20), .validate, "without an error, a stale response is validated")
        let plain = freshness("max-age=10")
        XCTAssertFalse(Reuse.servesOnError(plain, request: [:], now: arrived + 11))
        XCTAssertTrue(Reuse.servesOnError(plain, request: ["Cache-Control": "stale-if-error=5"], now: arrived + 14),
                      "the request's own window")
    }

    func testTheClientsDirectives() {
        let f = freshness("max-age=100")
        XCTAssertEqual(reuse(f, after: 1, request: ["Cache-Control": "no-cache"]), .validate)
        XCTAssertEqual(reuse(f, after: 1, request: ["Pragma": "no-cache"]), .validate)
        XCTAssertEqual(reuse(f, after: 1, request: ["Pragma": "no-cache", "Cache-Control": "max-stale"]), .fresh,
                       "Pragma counts only without Cache-Control")
        XCTAssertEqual(reuse(f, after: 30, request: ["Cache-Control": "max-age=20"]), .validate)
        XCTAssertEqual(reuse(f, after: 30, request: ["Cache-Control": "max-age=40"]), .fresh)
        XCTAssertEqual(reuse(f, after: 80, request: ["Cache-Control": "min-fresh=30"]), .validate)
        XCTAssertEqual(reuse(f, after: 120, request: ["Cache-Control": "max-stale=30"]), .stale(revalidate: false))
        XCTAssertEqual(reuse(f, after: 140, request: ["Cache-Control": "max-stale=30"]), .validate)
        XCTAssertEqual(reuse(f, after: 100_000, request: ["Cache-Control": "max-stale"]), .stale(revalidate: false))
    }
}
