import Synchronization
import XCTest

@testable import Proxy

/// The slot makes its handles once, on first use, hands out the same ones from then on, and
/// lets them go with itself.
final class LazyMetricsTests: XCTestCase {
    private final class Handles: Sendable {}

    func testHandlesAreMadeOnceOnFirstUseAndReleasedWithTheSlot() {
        let made = Atomic<Int>(0)
        weak var released: Handles?
        do {
            let slot = LazyMetrics<Handles> {
                made.wrappingAdd(1, ordering: .relaxed)
                return Handles()
            }
            XCTAssertNil(slot.registered)
            XCTAssertEqual(made.load(ordering: .relaxed), 0)
            let first = slot.handles
            XCTAssertTrue(slot.handles === first)
            XCTAssertTrue(slot.registered === first)
            XCTAssertEqual(made.load(ordering: .relaxed), 1)
            released = first
        }
        XCTAssertNil(released)
    }

    func testRacingFirstUsesAllGetTheOneStoredHandles() {
        let slot = LazyMetrics<Handles> { Handles() }
        let seen = Mutex<[ObjectIdentifier]>([])
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            let handles = slot.handles
            seen.withLock { $0.append(ObjectIdentifier(handles)) }
        }
        XCTAssertEqual(Set(seen.withLock { $0 }), [ObjectIdentifier(slot.registered!)])
    }
}
