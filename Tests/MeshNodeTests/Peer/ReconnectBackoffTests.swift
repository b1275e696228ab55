import NIOCore
import XCTest

@testable import MeshNode

final class ReconnectBackoffTests: XCTestCase {
    func testTheWaitDoublesUpToItsBoundAndCountsFromTheFailure() {
        var backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        XCTAssertTrue(backoff.allowsConnecting(at: start), "no failure, no wait")
        var waits: [Int64] = []
        for _ in 0..<10 {
            backoff.failed(at: start)
            waits.append(backoff.delay.nanoseconds / 1_000_000)
        }
        XCTAssertEqual(waits, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000])
        XCTAssertFalse(backoff.allowsConnecting(at: start + .milliseconds(4999)))
        XCTAssertTrue(backoff.allowsConnecting(at: start + .seconds(5)))
        for _ in 0..<100 { backoff.failed(at: start) }
        XCTAssertEqual(backoff.delay, .seconds(5), "no overflow however many failures")
    }
}
