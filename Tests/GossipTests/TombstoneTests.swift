import XCTest
@testable import Gossip

final class TombstoneTests: XCTestCase {
    func testStaleAliveGossipDoesNotResurrectTheDead() throws {
        let node = try makeNode()
        let b = member("b", incarnation: 3)
        feed(node, [.alive(b)])
        feed(node, [.dead(id: b.id, incarnation: 3, from: "c", left: false)])
        XCTAssertEqual(events(feed(node, [.alive(b)])), [])
        XCTAssertEqual(events(feed(node, [.alive(member("b", incarnation: 2))])), [])
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
        // The member itself refuting a false death with a higher incarnation does come back.
        let back = member("b", incarnation: 4)
        XCTAssertEqual(events(feed(node, [.alive(back)])), [.joined(back)])
    }

    func testTombstonesAreReapedAfterTheTimeout() throws {
        let node = try makeNode()
        let b = member("b")
        feed(node, [.alive(b)])
        feed(node, [.dead(id: b.id, incarnation: 0, from: "c", left: false)], at: .seconds(1))
        _ = node.tick(now: .seconds(1) + GossipConfig.local.tombstoneTimeout - .milliseconds(1))
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
        XCTAssertLessThanOrEqual(node.nextDeadline, .seconds(1) + GossipConfig.local.tombstoneTimeout)
        _ = node.tick(now: .seconds(1) + GossipConfig.local.tombstoneTimeout)
        XCTAssertNil(node.member(named: "b"))
        XCTAssertEqual(node.members.count, 1)
    }

    func testDeathOfUnknownMemberLeavesATombstone() throws {
        let node = try makeNode()
        let b = member("b", incarnation: 2)
        feed(node, [.dead(id: b.id, incarnation: 2, from: "c", left: false)])
        XCTAssertEqual(events(feed(node, [.alive(b)])), [])
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
    }

    func testLeftMemberStaysLeft() throws {
        let node = try makeNode()
        let b = member("b", incarnation: 1)
        feed(node, [.alive(b)])
        var gone = b
        gone.incarnation = 2
        gone.state = .left
        XCTAssertEqual(events(feed(node, [.dead(id: b.id, incarnation: 2, from: "b", left: true)])), [.left(gone)])
        XCTAssertEqual(events(feed(node, [.alive(b), .suspect(id: b.id, incarnation: 2, suspecters: ["x"])])), [])
    }
}
