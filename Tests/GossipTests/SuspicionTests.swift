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

    func testAPushPullStateThatHoldsTheSameSuspicionDoesNotConfirmIt() throws {
        var config = GossipConfig.local
        config.awarenessMax = 1
        let node = try makeNode(config: config)
        let c = member("c")
        feed(node, [.alive(c)])
        // Two suspecters: one confirmation.
        feed(node, [.suspect(id: c.id, incarnation: 0, suspecters: ["x", "y"])], at: .seconds(1))
        let (minimum, maximum) = node.suspicionBounds()
        let oneConfirmation = Suspicion.timeout(confirmations: 1, expected: config.indirectChecks,
                                                minimum: minimum, maximum: maximum)
        let twoConfirmations = Suspicion.timeout(confirmations: 2, expected: config.indirectChecks,
                                                 minimum: minimum, maximum: maximum)
        XCTAssertLessThan(twoConfirmations + .milliseconds(500), oneConfirmation)
        // Peers that heard of the suspicion by gossip send their states, which hold c suspect.
        var encoder = MessageEncoder()
        var suspect = c
        suspect.state = .suspect
        for (index, peer) in ["p", "q", "r"].enumerated() {
            let state = encoder.packet([.pushPull(from: peer, join: false, members: [suspect], rumors: [])])
            _ = node.receive(stream: state, from: NodeAddress(host: "10.2.0.\(index + 1)", port: 7946),
                             now: .seconds(1.5))
        }
        XCTAssertEqual(node.suspicions["c"]?.suspecters, ["x", "y"])
        _ = node.tick(now: .seconds(1) + twoConfirmations)
        XCTAssertEqual(node.member(named: "c")?.state, .suspect, "the states named no suspecter")
    }

    func testAPushPullStateStartsASuspicionThisNodeHadNotHeardOf() throws {
        let node = try makeNode()
        let c = member("c")
        feed(node, [.alive(c)])
        var suspect = c
        suspect.state = .suspect
        var encoder = MessageEncoder()
        let state = encoder.packet([.pushPull(from: "p", join: false, members: [suspect], rumors: [])])
        _ = node.receive(stream: state, from: NodeAddress(host: "10.2.0.1", port: 7946), now: .seconds(1))
        XCTAssertEqual(node.member(named: "c")?.state, .suspect)
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
