import XCTest
@testable import Gossip

/// Lifeguard beyond memberlist: patience with members known to answer late, no accusation
/// from a probe nobody answered, and suspicion timeouts stretched by local health.
final class LateResponderTests: XCTestCase {
    private let config = GossipConfig.local

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

    private func nodeWithRefutedPeer() throws -> GossipNode {
        let node = try makeNode()
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

    func testPoorLocalHealthStretchesSuspicionTimeouts() throws {
        let node = try makeNode()
        let healthy = node.suspicionTimeouts()
        node.awareness.apply(delta: 2)
        let unwell = node.suspicionTimeouts()
        XCTAssertEqual(unwell.minimum, healthy.minimum * 3)
        XCTAssertEqual(unwell.maximum, healthy.maximum * 3)
    }
}
