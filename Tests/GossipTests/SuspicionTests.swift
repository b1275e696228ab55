import XCTest
@testable import Gossip

final class SuspicionTests: XCTestCase {
    func testTimeoutStartsAtMaximumAndShrinksToMinimumWithConfirmations() {
        var suspicion = Suspicion(start: .seconds(10), minimum: .seconds(2), maximum: .seconds(12),
                                  expectedConfirmations: 3, suspecters: ["a"])
        XCTAssertEqual(suspicion.start + suspicion.timeout, .seconds(22))
        var last = suspicion.timeout
        for name in ["b", "c", "d"] {
            XCTAssertTrue(suspicion.confirm(by: name))
            XCTAssertLessThan(suspicion.timeout, last)
            last = suspicion.timeout
        }
        XCTAssertEqual(suspicion.timeout, .seconds(2))
        XCTAssertEqual(suspicion.start + suspicion.timeout, .seconds(12))
        XCTAssertTrue(suspicion.confirm(by: "e"))
        XCTAssertEqual(suspicion.timeout, .seconds(2), "never below the minimum")
    }

    func testRepeatedSuspecterIsNotAnIndependentConfirmation() {
        var suspicion = Suspicion(start: .zero, minimum: .seconds(1), maximum: .seconds(6),
                                  expectedConfirmations: 3, suspecters: ["a", "a"])
        XCTAssertEqual(suspicion.confirmations, 0)
        XCTAssertFalse(suspicion.confirm(by: "a"))
        XCTAssertEqual(suspicion.start + suspicion.timeout, .seconds(6))
    }

    func testShrinkFollowsTheLogarithmicFormula() {
        // max − (max − min) · log(c + 1) / log(k + 1) with min 2 s, max 12 s, k = 3, c = 1: 12 − 10 · 0.5 = 7 s.
        let timeout = Suspicion.timeout(confirmations: 1, expected: 3, minimum: .seconds(2), maximum: .seconds(12))
        XCTAssertEqual(Double(timeout.nanoseconds) / 1e9, 7, accuracy: 0.001)
    }

    func testNodeDeclaresDeathAfterTheSuspicionTimeoutAndConfirmationsBringItForward() throws {
        // Its own probes go unanswered here; keep local health out of the timing.
        var config = GossipConfig.local
        config.awarenessMax = 1
        let node = try makeNode(config: config)
        let b = member("b")
        let c = member("c")
        feed(node, [.alive(b), .alive(c)])
        let (minimum, maximum) = node.suspicionBounds()
        feed(node, [.suspect(id: b.id, incarnation: 0, suspecters: ["x"])], at: .seconds(1))
        feed(node, [.suspect(id: c.id, incarnation: 0, suspecters: ["x"])], at: .seconds(1))
        feed(node, [.suspect(id: c.id, incarnation: 0, suspecters: ["y", "z", "w"])], at: .seconds(1))
        _ = node.tick(now: .seconds(1) + minimum)
        XCTAssertEqual(node.member(named: "c")?.state, .dead, "three confirmations: minimum timeout")
        XCTAssertEqual(node.member(named: "b")?.state, .suspect)
        _ = node.tick(now: .seconds(1) + maximum - .milliseconds(1))
        XCTAssertEqual(node.member(named: "b")?.state, .suspect)
        let outputs = node.tick(now: .seconds(1) + maximum)
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
        XCTAssertTrue(events(outputs).contains { if case .failed(let m) = $0 { m.name == "b" } else { false } })
    }

    func testWithoutLifeguardTheTimeoutIsFixed() throws {
        var config = GossipConfig.local
        config.lifeguard = false
        let node = try makeNode(config: config)
        let (minimum, maximum) = node.suspicionBounds()
        XCTAssertEqual(minimum, maximum)
        let b = member("b")
        feed(node, [.alive(b), .suspect(id: b.id, incarnation: 0, suspecters: ["x"])], at: .seconds(1))
        _ = node.tick(now: .seconds(1) + minimum)
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
    }
}
