import XCTest
@testable import Gossip

/// How news of members spreads once heard: what is passed on after a full-state exchange,
/// and how copies heard from peers shorten this node's own share of the sends.
final class AnnouncementTests: XCTestCase {
    private let other = NodeAddress(host: "10.2.0.9", port: 7946)

    private func state(from sender: String, join: Bool = false, _ members: [Member]) -> [UInt8] {
        var encoder = MessageEncoder()
        return encoder.packet([.pushPull(from: sender, join: join, members: members, rumors: [])])
    }

    func testAMemberFirstHeardOfInAStateIsNotAnnouncedOnButTheSendersOwnRecordIs() throws {
        let node = try makeNode()
        let p = member("p"), x = member("x")
        let outputs = node.receive(stream: state(from: "p", [p, x]), from: p.address, now: .zero).outputs
        XCTAssertEqual(events(outputs), [.joined(p), .joined(x)])
        XCTAssertNotNil(node.queue.transmits(of: .member("p")), "the sender's record is news from the member itself")
        XCTAssertNil(node.queue.transmits(of: .member("x")), "x's own announcement is still spreading by gossip")
    }

    func testNewsAboutAKnownMemberInAPeriodicStateIsPassedOn() throws {
        let node = try makeNode()
        feed(node, [.alive(member("x", tags: ["v": "1"]))])
        var packet: [UInt8] = []
        node.queue.fill(&packet, budget: 1400, limit: 1)
        XCTAssertTrue(node.queue.isEmpty)
        let moved = member("x", incarnation: 1, tags: ["v": "2"])
        _ = node.receive(stream: state(from: "p", [member("p"), moved]), from: peerAddress, now: .zero)
        XCTAssertEqual(node.member(named: "x"), moved)
        XCTAssertEqual(node.queue.transmits(of: .member("x")), 0)
        // The same news in a join-time state is not passed on: the joiner's exchange is its own.
        let joiner = try makeNode("other")
        _ = joiner.receive(stream: state(from: "q", [member("x")]), from: peerAddress, now: .zero)
        _ = joiner.receive(stream: state(from: "q", join: true, [member("q"), moved]), from: peerAddress, now: .zero)
        XCTAssertEqual(joiner.member(named: "x"), moved)
        XCTAssertNil(joiner.queue.transmits(of: .member("x")))
    }

    /// Queues more announcements than one gossip round carries, as in a mass start.
    private func backlog(on node: GossipNode) {
        let members = (0..<200).map { member("m\($0)", host: "10.3.\($0 / 200).\($0 % 200 + 1)") }
        for batch in stride(from: 0, to: members.count, by: 20) {
            feed(node, members[batch..<batch + 20].map { .alive($0) }, from: other)
        }
        XCTAssertGreaterThan(node.queue.queuedBytes, node.gossipRoundBytes)
    }

    func testACopyHeardInGossipCountsAsOneOfThisNodesSendsWhileTheQueueIsBackedUp() throws {
        let node = try makeNode()
        let b = member("b")
        feed(node, [.alive(b)])
        feed(node, [.alive(b)], from: other)
        XCTAssertEqual(node.queue.transmits(of: .member("b")), 0, "a queue that fits in one round keeps every send")
        backlog(on: node)
        feed(node, [.alive(b)], from: other)
        XCTAssertEqual(node.queue.transmits(of: .member("b")), 1)
        // A state lists every member its sender holds: no evidence that anyone spreads b.
        _ = node.receive(stream: state(from: "p", [member("p"), b]), from: peerAddress, now: .zero)
        XCTAssertEqual(node.queue.transmits(of: .member("b")), 1)
        // Copies retire the announcement at the transmit limit like sends do.
        for _ in 2...node.retransmitLimit { feed(node, [.alive(b)], from: other) }
        XCTAssertNil(node.queue.transmits(of: .member("b")))
    }

    func testACopyOfAnOlderIncarnationOrOfARefutationIsNotCounted() throws {
        let node = try makeNode()
        backlog(on: node)
        feed(node, [.alive(member("b", incarnation: 2))])
        feed(node, [.alive(member("b", incarnation: 1))], from: other)
        XCTAssertEqual(node.queue.transmits(of: .member("b")), 0, "an older record is no copy")
        // c suspected, then refuted: the refutation must reach every holder of the suspicion.
        let c = member("c")
        feed(node, [.alive(c)])
        feed(node, [.suspect(id: c.id, incarnation: 0, suspecters: ["z"])])
        let refuted = member("c", incarnation: 1)
        feed(node, [.alive(refuted)])
        let before = node.queue.transmits(of: .member("c"))
        XCTAssertNotNil(before)
        feed(node, [.alive(refuted)], from: other)
        XCTAssertEqual(node.queue.transmits(of: .member("c")), before)
    }
}
