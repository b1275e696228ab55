import XCTest
@testable import Gossip

/// Lifeguard beyond memberlist: patience with members known to answer late, no accusation
/// from a probe nobody answered, and suspicion timeouts stretched by local health.
final class LateResponderTests: XCTestCase {
    private let config = GossipConfig.settled

    /// Runs probes until one targets `name`; returns its ping's seq, the instant it was sent
    /// and the outputs of that tick. Relays nack every ping-req meanwhile.
    private func probe(of name: String, on node: GossipNode, from start: Instant) throws
        -> (seq: UInt32, at: Instant, outputs: [GossipOutput]) {
        var now = start
        while now < start + .seconds(10) {
            let outputs = node.tick(now: now)
            for (to, messages) in decodedDatagrams(outputs) {
                for message in messages {
                    if case let .ping(seq, target) = message, target == name { return (seq, now, outputs) }
                    if case let .pingReq(seq, _, _, _) = message { feed(node, [.nack(seq: seq)], from: to, at: now) }
                }
            }
            now = max(now + .milliseconds(1), node.nextDeadline)
        }
        throw XCTSkip("no probe of \(name)")
    }

    private func nodeWithRefutedPeer(config: GossipConfig = .settled) throws -> GossipNode {
        let node = try makeNode(config: config)
        feed(node, (0..<4).map { .alive(member("p\($0)", host: "10.5.0.\($0 + 1)")) })
        let p0 = NodeID(name: "p0", uid: 1)
        feed(node, [.suspect(id: p0, incarnation: 0, suspecters: ["p1"])])
        feed(node, [.alive(member("p0", incarnation: 1, host: "10.5.0.1"))])
        XCTAssertEqual(node.member(named: "p0")?.state, .alive)
        return node
    }

    func testAMemberThatRefutedIsProbedWithPatience() throws {
        let node = try nodeWithRefutedPeer()
        let (seq, at, outputs) = try probe(of: "p0", on: node, from: .seconds(0.001))
        // The stream ping goes out with the first ping, not after the probe timeout.
        XCTAssertTrue(outputs.contains { if case .stream(_, let to) = $0 { to.host == "10.5.0.1" } else { false } })
        // Relays nack; the ack comes 1.5 periods late, which is still in time.
        var now = at
        let ackAt = at + config.protocolPeriod * 3 / 2
        while now < ackAt {
            for (to, messages) in decodedDatagrams(node.tick(now: now)) {
                for case let .pingReq(relaySeq, _, _, _) in messages { feed(node, [.nack(seq: relaySeq)], from: to, at: now) }
            }
            now = min(ackAt, max(now + .milliseconds(1), node.nextDeadline))
        }
        feed(node, [.ack(seq: seq)], from: NodeAddress(host: "10.5.0.1", port: 7946), at: ackAt)
        _ = node.tick(now: at + config.protocolPeriod * 2)
        XCTAssertEqual(node.member(named: "p0")?.state, .alive)
        XCTAssertEqual(node.member(named: "p0")?.incarnation, 1)
    }

    /// Every prober walks the rotation one rank per period, so the member ranked after a
    /// late responder comes right after it for every prober; a prober that waited out the
    /// patient probe would skip that member at every pass.
    func testAPatientProbeDoesNotDelayTheNextPeriodsProbe() throws {
        let node = try nodeWithRefutedPeer()
        let (_, at, _) = try probe(of: "p0", on: node, from: .seconds(0.001))
        var pinged: [String] = []
        var now = at + .milliseconds(1)
        while now <= at + config.protocolPeriod {
            for (to, messages) in decodedDatagrams(node.tick(now: now)) {
                for message in messages {
                    if case let .ping(_, target) = message { pinged.append(target) }
                    if case let .pingReq(seq, _, _, _) = message { feed(node, [.nack(seq: seq)], from: to, at: now) }
                }
            }
            now = max(now + .milliseconds(1), node.nextDeadline)
        }
        XCTAssertEqual(pinged.count, 1, "the next period's probe starts on time: \(pinged)")
        XCTAssertNotEqual(pinged.first, "p0")
        XCTAssertEqual(node.member(named: "p0")?.state, .alive, "p0's patient probe is still running")
    }

    func testATimelyAckEndsPatience() throws {
        let node = try nodeWithRefutedPeer()
        let slot = try XCTUnwrap(node.table.slot(named: "p0"))
        XCTAssertTrue(node.table[slot].answersLate)
        let (seq, at, _) = try probe(of: "p0", on: node, from: .seconds(0.001))
        feed(node, [.ack(seq: seq)], from: NodeAddress(host: "10.5.0.1", port: 7946), at: at + .milliseconds(5))
        XCTAssertFalse(node.table[slot].answersLate)
    }

    func testAProbeThatNoRelayAnsweredAccusesNoOne() throws {
        let node = try makeNode()
        feed(node, (0..<4).map { .alive(member("p\($0)", host: "10.6.0.\($0 + 1)")) })
        // Nothing answers, not even the relays: the fault is most likely here.
        var now = Instant.seconds(0.001)
        while now < .seconds(1) {
            _ = node.tick(now: now)
            now = max(now + .milliseconds(1), node.nextDeadline)
        }
        XCTAssertGreaterThan(node.stats.awarenessScore, 0)
        XCTAssertEqual(node.stats.suspicionsRaised, 0)
        XCTAssertTrue(node.members.allSatisfy { $0.state == .alive })
    }

    /// Probes every peer in turn for `probes` periods; each ack comes `ackDelay` after its ping.
    private func probeEveryone(_ node: GossipNode, probes: Int, ackDelay: Duration) {
        var now = Instant.seconds(0.001)
        var acks: [(at: Instant, seq: UInt32, from: NodeAddress)] = []
        var sent = 0
        while sent < probes || !acks.isEmpty {
            for ack in acks where ack.at <= now { feed(node, [.ack(seq: ack.seq)], from: ack.from, at: now) }
            acks.removeAll { $0.at <= now }
            for (to, messages) in decodedDatagrams(node.tick(now: now)) {
                for case let .ping(seq, _) in messages where sent < probes {
                    sent += 1
                    acks.append((now + ackDelay, seq, to))
                }
            }
            now = min(acks.map(\.at).min() ?? .seconds(1e6), max(now + .milliseconds(1), node.nextDeadline))
        }
    }

    func testLateAcksFromOneMemberAfterAnotherRaiseTheProbersOwnAwareness() throws {
        let timely = try makeNode()
        let late = try makeNode()
        for node in [timely, late] {
            feed(node, (0..<6).map { .alive(member("p\($0)", host: "10.8.0.\($0 + 1)")) })
        }
        probeEveryone(timely, probes: 4, ackDelay: config.probeTimeout / 5)
        // After the probe timeout, within the period: each member still counts as alive.
        probeEveryone(late, probes: 4, ackDelay: config.probeTimeout * 3 / 2)
        XCTAssertEqual(timely.stats.awarenessScore, 0)
        XCTAssertGreaterThan(late.stats.awarenessScore, 0)
        XCTAssertEqual(late.stats.suspicionsRaised, 0)
    }

    func testAConfirmedSuspicionOfAMemberThatRefutedRunsTwiceTheMinimum() throws {
        // Its own probes go unanswered here; keep local health out of the timing.
        var config = config
        config.awarenessMax = 1
        let node = try nodeWithRefutedPeer(config: config)
        let (minimum, _) = node.suspicionBounds()
        let p0 = NodeID(name: "p0", uid: 1)
        // Suspected again, by a prober and the three relays that nacked: fully confirmed.
        feed(node, [.suspect(id: p0, incarnation: 1, suspecters: ["p1", "p2", "p3", "x"])], at: .seconds(1))
        _ = node.tick(now: .seconds(1) + minimum)
        XCTAssertEqual(node.member(named: "p0")?.state, .suspect, "its refutation comes as late as its acks")
        _ = node.tick(now: .seconds(1) + minimum * 2)
        XCTAssertEqual(node.member(named: "p0")?.state, .dead)
    }

    func testAConfirmedSuspicionOfAnyOtherMemberRunsTheMinimum() throws {
        let node = try nodeWithRefutedPeer()
        let (minimum, _) = node.suspicionBounds()
        let p1 = NodeID(name: "p1", uid: 1)
        feed(node, [.suspect(id: p1, incarnation: 0, suspecters: ["p0", "p2", "p3", "x"])], at: .seconds(1))
        _ = node.tick(now: .seconds(1) + minimum)
        XCTAssertEqual(node.member(named: "p1")?.state, .dead)
    }

    /// A suspicion started while the node was healthy runs as long as its health asks when
    /// it ends: a node that fell behind may hold the refutation in its own inbox.
    func testASuspicionLastsAsLongAsTheNodesHealthAsksWhenItEnds() throws {
        var config = config
        config.awarenessMax = 3
        let node = try makeNode(config: config)
        let b = member("b")
        feed(node, [.alive(b)])
        let (minimum, _) = node.suspicionBounds()
        feed(node, [.suspect(id: b.id, incarnation: 0, suspecters: ["x", "y", "z", "w"])], at: .seconds(1))
        node.awareness.apply(delta: 2)
        _ = node.tick(now: .seconds(1) + minimum)
        XCTAssertEqual(node.member(named: "b")?.state, .suspect)
        XCTAssertLessThanOrEqual(node.nextDeadline, .seconds(1) + minimum * 3)
        _ = node.tick(now: .seconds(1) + minimum * 3)
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
    }

    func testPoorLocalHealthStretchesSuspicionTimeouts() throws {
        let node = try makeNode()
        let (minimum, maximum) = node.suspicionBounds()
        let confirmed = Suspicion(start: .seconds(1), minimum: minimum, maximum: maximum,
                                  expectedConfirmations: 3, suspecters: ["a", "b", "c", "d"])
        let unconfirmed = Suspicion(start: .seconds(1), minimum: minimum, maximum: maximum,
                                    expectedConfirmations: 3, suspecters: ["a"])
        XCTAssertEqual(node.deadline(of: confirmed), .seconds(1) + minimum)
        XCTAssertEqual(node.deadline(of: unconfirmed), .seconds(1) + maximum)
        node.awareness.apply(delta: 2)
        XCTAssertEqual(node.deadline(of: confirmed), .seconds(1) + minimum * 3)
        XCTAssertEqual(node.deadline(of: unconfirmed), .seconds(1) + maximum * 3)
    }
}
