import XCTest

@testable import CacheRing

final class CacheStatusTests: XCTestCase {
    func testTheFieldsAClientSeesForEachOutcome() {
        let rows: [(CacheStatus, String, String)] = [
            (CacheStatus(ttl: 376), "meshgate;hit;ttl=376", "HIT"),
            (CacheStatus(ttl: -12), "meshgate;hit;ttl=-12", "STALE"),
            (CacheStatus(forward: .uriMiss, forwardStatus: 200, ttl: 30, stored: true), "meshgate;fwd=uri-miss;fwd-status=200;ttl=30;stored", "MISS"),
            (CacheStatus(forward: .varyMiss, forwardStatus: 200, stored: true), "meshgate;fwd=vary-miss;fwd-status=200;stored", "MISS"),
            (CacheStatus(forward: .stale, forwardStatus: 304, ttl: 60), "meshgate;fwd=stale;fwd-status=304;ttl=60", "MISS"),
            (CacheStatus(forward: .request, forwardStatus: 200), "meshgate;fwd=request;fwd-status=200", "MISS"),
            (CacheStatus(forward: .bypass, forwardStatus: 200), "meshgate;fwd=bypass;fwd-status=200", "BYPASS"),
            (CacheStatus(forward: .method, forwardStatus: 201), "meshgate;fwd=method;fwd-status=201", "BYPASS"),
            (CacheStatus(forward: .uriMiss, forwardStatus: 200, collapsed: true), "meshgate;fwd=uri-miss;fwd-status=200;collapsed", "MISS"),
        ]
        for (status, field, xCache) in rows {
            XCTAssertEqual(status.fieldValue, field)
            XCTAssertEqual(status.xCache, xCache, field)
        }
    }

    func testTheKeyIsAStructuredStringOnlyWhenAskedFor() {
        XCTAssertEqual(CacheStatus(ttl: 5, key: "GET example.com/a?q=\"x\\y\"\naccept: é").fieldValue,
                       #"meshgate;hit;ttl=5;key="GET example.com/a?q=\"x\\y\"%0Aaccept: %C3%A9""#)
        XCTAssertFalse(CacheStatus(ttl: 5).fieldValue.contains("key"))
    }
}
