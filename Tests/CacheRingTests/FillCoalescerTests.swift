import XCTest

@testable import CacheRing

final class FillCoalescerTests: XCTestCase {
    func testAHundredConcurrentMissesMakeOneOriginRequest() {
        var coalescer = FillCoalescer<Int>()
        let roles = (0..<100).map { coalescer.join("GET example.com/hot", $0) }
        XCTAssertEqual(roles.filter { $0 == .lead }.count, 1, "one asker goes to the origin")
        XCTAssertEqual(roles.first, .lead)
        XCTAssertEqual(coalescer.finish("GET example.com/hot"), Array(1..<100), "the others get its outcome, in order")
        XCTAssertEqual(coalescer.inFlight, 0)
        XCTAssertEqual(coalescer.join("GET example.com/hot", 100), .lead, "a miss after the fill leads a new one")
    }

    func testKeysAreIndependentAndWaitersAreBounded() {
        var coalescer = FillCoalescer<String>(maxWaiters: 2)
        XCTAssertEqual(coalescer.join("a", "a0"), .lead)
        XCTAssertEqual(coalescer.join("b", "b0"), .lead)
        XCTAssertEqual(coalescer.join("a", "a1"), .wait)
        XCTAssertEqual(coalescer.join("a", "a2"), .wait)
        XCTAssertEqual(coalescer.join("a", "a3"), .alone)
        XCTAssertEqual(coalescer.inFlight, 2)
        XCTAssertEqual(coalescer.finish("b"), [])
        XCTAssertEqual(coalescer.finish("a"), ["a1", "a2"])
        XCTAssertEqual(coalescer.finish("a"), [], "finishing twice answers no one twice")
    }
}
