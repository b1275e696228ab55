import XCTest

@testable import CacheRing

/// RFC 9111 as a shared cache: what is stored, and for how long. Times are wall-clock seconds;
/// the request went out at `sent` and the response arrived at `arrived`.
final class StorabilityTests: XCTestCase {
    private let sent = WallTime(seconds: 1_700_000_000)
    private var arrived: WallTime { sent + 2 }
    private func date(_ time: WallTime) -> String { httpDate(time) }

    private func decide(_ headers: FieldList, status: Int = 200, request: FieldList = [:], method: String = "GET",
                        rules: CacheRules = CacheRules(defaultTTL: 30)) -> Storability {
        Storability.evaluate(
            request: CacheRequest(method: method, host: "example.com", target: "/a", headers: request),
            response: CacheResponse(status: status, headers: headers), requestTime: sent, responseTime: arrived, rules: rules)
    }

    private func lifetime(_ decision: Storability) -> Int? {
        if case .store(let freshness) = decision { return freshness.lifetime }
        return nil
    }

    func testFreshnessComesFromSMaxageThenMaxAgeThenExpires() {
        let rows: [(FieldList, Int, String)] = [
            (["Cache-Control": "max-age=60, s-maxage=120"], 120, "s-maxage wins over max-age"),
            (["Cache-Control": "max-age=60", "Expires": date(arrived + 600), "Date": date(arrived)], 60, "max-age wins over Expires"),
            (["Expires": date(sent + 300), "Date": date(sent)], 300, "Expires less Date"),
            (["Expires": date(arrived + 300)], 300, "Expires less the arrival time without Date"),
            (["Expires": "0"], 0, "an invalid Expires is in the past"),
            (["Expires": date(sent + -10), "Date": date(sent)], 0, "an Expires before Date"),
            (["Cache-Control": "max-age=abc"], 0, "an invalid max-age is stale"),
            (["Cache-Control": "max-age=10, max-age=99"], 10, "the first of repeated directives"),
            (["Cache-Control": "MAX-AGE=\"45\""], 45, "names in any case, quoted values"),
            (["cache-control": "public", "Cache-Control": "max-age=5"], 5, "directives of every Cache-Control line"),
            (["Cache-Control": "max-age=99999999999"], 1 << 31, "delta-seconds capped at 2^31"),
            (["Cache-Control": "max-age=0000000000042"], 42, "leading zeros"),
            ([:], 30, "the route's ttl for a response with no freshness of its own"),
            (["Cache-Control": "public"], 30, "public alone has no lifetime: the route's ttl"),
        ]
        for (headers, expected, why) in rows {
            XCTAssertEqual(lifetime(decide(headers)), expected, why)
        }
    }

    func testOverrideMakesTheRoutesTTLWin() {
        let rules = CacheRules(defaultTTL: 30, override: true)
        XCTAssertEqual(lifetime(decide(["Cache-Control": "max-age=600"], rules: rules)), 30)
        XCTAssertEqual(lifetime(decide(["Expires": "0"], rules: rules)), 30)
        XCTAssertEqual(decide(["Cache-Control": "no-store"], rules: rules), .bypass(.noStore), "override does not store no-store")
        XCTAssertEqual(decide(["Cache-Control": "private, max-age=60"], rules: rules), .bypass(.privateResponse))
    }

    func testAnEmptyRuleStoresOnlyWhatTheOriginMarksFresh() {
        let rules = CacheRules()
        XCTAssertEqual(decide([:], rules: rules), .bypass(.noFreshness), "no heuristic freshness")
        XCTAssertEqual(decide(["Last-Modified": date(sent + -86_400)], rules: rules), .bypass(.noFreshness))
        XCTAssertEqual(decide(["Cache-Control": "public"], rules: rules), .bypass(.noFreshness))
        XCTAssertEqual(lifetime(decide(["Cache-Control": "max-age=60"], rules: rules)), 60)
        XCTAssertEqual(lifetime(decide(["Expires": date(arrived + 9)], rules: rules)), 9)
    }

    func testNeverStored() {
        let rows: [(FieldList, FieldList, Storability.BypassReason)] = [
            (["Cache-Control": "no-store, max-age=60"], [:], .noStore),
            (["Cache-Control": "max-age=60"], ["Cache-Control": "no-store"], .requestNoStore),
            (["Cache-Control": "private"], [:], .privateResponse),
            (["Cache-Control": "private=\"set-cookie\", max-age=60"], [:], .privateResponse),
            (["Cache-Control": "max-age=60"], ["Authorization": "Bearer x"], .authorization),
            ([:], ["authorization": "Basic eA=="], .authorization),
            (["Cache-Control": "max-age=60", "Vary": "Accept, *"], [:], .varyStar),
            (["Cache-Control": "max-age=60", "Content-Length": "9000001"], [:], .tooLarge),
        ]
        for (response, request, reason) in rows {
            XCTAssertEqual(decide(response, request: request), .bypass(reason), "\(response.fields) for \(request.fields)")
        }
    }

    func testMustUnderstandStoresAKnownStatusDespiteNoStoreAndNoUnknownOne() {
        XCTAssertEqual(lifetime(decide(["Cache-Control": "must-understand, no-store, max-age=60"])), 60)
        XCTAssertEqual(lifetime(decide(["Cache-Control": "must-understand, no-store, max-age=60"], status: 307)), 60)
        XCTAssertEqual(decide(["Cache-Control": "must-understand, no-store, max-age=60"], status: 299), .bypass(.status))
        XCTAssertEqual(decide(["Cache-Control": "must-understand, max-age=60"], status: 299), .bypass(.status))
        XCTAssertEqual(decide(["Cache-Control": "must-understand, private, max-age=60"]), .bypass(.privateResponse))
    }

    func testAnAuthorizedRequestsResponseIsStoredWhenTheResponseAllowsIt() {
        for allowing in ["public", "s-maxage=60", "must-revalidate, max-age=60"] {
            XCTAssertEqual(lifetime(decide(["Cache-Control": allowing], request: ["Authorization": "Bearer x"])).map { $0 > 0 }, true,
                           allowing)
        }
    }

    func testMethodsAndStatuses() {
        XCTAssertEqual(decide(["Cache-Control": "max-age=60"], method: "POST"), .bypass(.method))
        XCTAssertEqual(decide(["Cache-Control": "max-age=60"], method: "HEAD"), .bypass(.headResponse),
                       "a HEAD's empty body must not answer a GET of the same key")
        XCTAssertNotNil(lifetime(decide(["Cache-Control": "max-age=60"], method: "POST", rules: CacheRules(methods: ["GET", "POST"]))))
        XCTAssertEqual(lifetime(decide([:], status: 404)), 30, "404 is heuristically cacheable: the route's ttl")
        XCTAssertEqual(decide([:], status: 500), .bypass(.status), "500 needs explicit freshness")
        XCTAssertEqual(lifetime(decide(["Cache-Control": "max-age=5"], status: 500)), 5)
        XCTAssertEqual(decide(["Cache-Control": "max-age=5"], status: 206), .bypass(.status))
        XCTAssertEqual(decide(["Cache-Control": "max-age=5"], status: 304), .bypass(.status))
        let onlyOK = CacheRules(defaultTTL: 30, statuses: [200])
        XCTAssertEqual(decide(["Cache-Control": "max-age=5"], status: 404, rules: onlyOK), .bypass(.status))
    }

    func testAgeAndDateAreAccountedOnArrival() {
        func initialAge(_ headers: FieldList) -> Int? {
            if case .store(let f) = decide(headers) { return f.initialAge }
            return nil
        }
        XCTAssertEqual(initialAge(["Date": date(arrived)]), 2, "the round trip counts as age")
        XCTAssertEqual(initialAge(["Age": "100", "Date": date(arrived)]), 102, "Age plus the round trip")
        XCTAssertEqual(initialAge(["Date": date(arrived + -50)]), 50, "a Date in the past: apparent age")
        XCTAssertEqual(initialAge(["Date": date(arrived + 50)]), 2, "a Date in the future is no younger than its trip")
        XCTAssertEqual(initialAge(["Age": "junk"]), 2)
        XCTAssertEqual(initialAge(["Age": "100, 0", "Date": date(arrived)]), 102, "of a list, the first member")
        XCTAssertEqual(initialAge(["Age": "100;foo=bar", "Date": date(arrived)]), 102, "without its parameters")
        XCTAssertEqual(initialAge(["Age": "100.0"]), 2, "not an integer: ignored")
        XCTAssertEqual(initialAge(["Age": "99999999999"]), (1 << 31) + 2, "capped at 2^31")
        guard case .store(let f) = decide(["Cache-Control": "max-age=60", "Age": "40"]) else { return XCTFail() }
        XCTAssertEqual(f.age(at: arrived + 10), 52)
        XCTAssertEqual(f.staleness(at: arrived + 10), -8, "fresh for 8 more seconds")
    }

    func testDirectivesThatGovernStaleUse() {
        guard case .store(let plain) = decide(["Cache-Control": "max-age=1, stale-while-revalidate=30, stale-if-error=300"]),
              case .store(let strict) = decide(["Cache-Control": "max-age=1, must-revalidate"]),
              case .store(let proxy) = decide(["Cache-Control": "max-age=1, proxy-revalidate"]),
              case .store(let shared) = decide(["Cache-Control": "s-maxage=1"]),
              case .store(let noCache) = decide(["Cache-Control": "no-cache, max-age=60", "ETag": "\"v1\""])
        else { return XCTFail("all stored") }
        XCTAssertEqual(plain.staleWhileRevalidate, 30)
        XCTAssertEqual(plain.staleIfError, 300)
        XCTAssertFalse(plain.forbidsStale)
        XCTAssertTrue(strict.forbidsStale)
        XCTAssertTrue(proxy.forbidsStale)
        XCTAssertTrue(shared.forbidsStale, "s-maxage implies proxy-revalidate")
        XCTAssertTrue(noCache.revalidatesAlways)
    }
}

extension StorabilityTests {
    /// `CDN-Cache-Control` (RFC 9213), valid and non-empty, replaces `Cache-Control` and
    /// `Expires` for this cache; otherwise they govern.
    func testCDNCacheControlTargetsThisCache() {
        let rows: [(FieldList, Int?, String)] = [
            (["CDN-Cache-Control": "max-age=3600"], 3600, "its max-age"),
            (["Cache-Control": "max-age=1", "CDN-Cache-Control": "max-age=3600"], 3600, "over a shorter Cache-Control"),
            (["Cache-Control": "max-age=3600", "CDN-Cache-Control": "max-age=1"], 1, "over a longer Cache-Control"),
            (["Cache-Control": "no-store", "CDN-Cache-Control": "max-age=600"], 600, "over Cache-Control: no-store"),
            (["CDN-Cache-Control": "max-age=0", "Expires": date(arrived + 600), "Date": date(arrived)], 0, "Expires ignored"),
            (["CDN-Cache-Control": "max-age=60", "Expires": "0"], 60, "an invalid Expires ignored"),
            (["CDN-Cache-Control": "foobar, max-age=90"], 90, "extension directives"),
            (["CDN-Cache-Control": "max-age=99999999999"], 1 << 31, "capped at 2^31"),
            (["CDN-Cache-Control": "max-age=\"100\"", "Cache-Control": "max-age=5"], 0, "a string where a number belongs counts 0"),
            (["CDN-Cache-Control": "max-age =100", "Cache-Control": "max-age=5"], 5, "not a dictionary: Cache-Control governs"),
            (["CDN-Cache-Control": "max-age=10, &&&", "Cache-Control": "max-age=5"], 5, "not a dictionary: Cache-Control governs"),
            (["CDN-Cache-Control": "MaX-aGe=100", "Cache-Control": "max-age=5"], 5, "keys are lower case in a dictionary"),
            (["CDN-Cache-Control": "", "Cache-Control": "max-age=5"], 5, "empty: Cache-Control governs"),
        ]
        for (headers, expected, why) in rows {
            XCTAssertEqual(lifetime(decide(headers, rules: CacheRules())), expected, why)
        }
        XCTAssertEqual(decide(["CDN-Cache-Control": "no-store", "Cache-Control": "max-age=600"]), .bypass(.noStore))
        XCTAssertEqual(decide(["CDN-Cache-Control": "private", "Cache-Control": "max-age=600"]), .bypass(.privateResponse))
        guard case .store(let noCache) = decide(["CDN-Cache-Control": "no-cache", "Cache-Control": "max-age=600"]),
              case .store(let strict) = decide(["CDN-Cache-Control": "max-age=60, must-revalidate, stale-if-error=30"])
        else { return XCTFail("stored") }
        XCTAssertTrue(noCache.revalidatesAlways)
        XCTAssertTrue(strict.forbidsStale)
        XCTAssertEqual(strict.staleIfError, 30)
    }
}

/// IMF-fixdate, for building test responses.
func httpDate(_ time: WallTime) -> String {
    let days = Int(time.seconds / 86_400), secs = Int(time.seconds % 86_400)
    let names = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    // Civil from days (Howard Hinnant).
    let z = days + 719_468, era = z / 146_097, doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(names[days % 7]), \(two(day)) \(months[month - 1]) \(year) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)) GMT"
}
