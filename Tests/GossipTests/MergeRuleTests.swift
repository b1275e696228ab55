import XCTest
@testable import Gossip

final class MergeRuleTests: XCTestCase {
    func testNewMemberJoinsAndHigherIncarnationUpdatesIt() throws {
        let node = try makeNode()
        let b = member("b", incarnation: 1, tags: ["region": "eu"])
        XCTAssertEqual(events(feed(node, [.alive(b)])), [.joined(b)])
        var newer = b
        newer.incarnation = 2
        newer.tags["region"] = "us"
        XCTAssertEqual(events(feed(node, [.alive(newer)])), [.updated(newer)])
        XCTAssertEqual(node.member(named: "b"), newer)
    }

    func testStaleIncarnationIsIgnored() throws {
        let node = try makeNode()
        feed(node, [.alive(member("b", incarnation: 5, tags: ["v": "5"]))])
        XCTAssertEqual(events(feed(node, [.alive(member("b", incarnation: 4, tags: ["v": "4"]))])), [])
        XCTAssertEqual(events(feed(node, [.alive(member("b", incarnation: 5, tags: ["v": "x"]))])), [])
        XCTAssertEqual(node.member(named: "b")?.tags["v"], "5")
    }

    func testSuspicionOfOlderIncarnationIsIgnoredAndHigherAliveRefutesIt() throws {
        let node = try makeNode()
        let b = member("b", incarnation: 3)
        feed(node, [.alive(b)])
        feed(node, [.suspect(id: b.id, incarnation: 2, suspecters: ["c"])])
        XCTAssertEqual(node.member(named: "b")?.state, .alive)
        feed(node, [.suspect(id: b.id, incarnation: 3, suspecters: ["c"])])
        XCTAssertEqual(node.member(named: "b")?.state, .suspect)
        XCTAssertEqual(events(feed(node, [.alive(b)])), [], "the same incarnation does not refute")
        var refuted = b
        refuted.incarnation = 4
        XCTAssertEqual(events(feed(node, [.alive(refuted)])), [.refuted(refuted)])
        XCTAssertEqual(node.member(named: "b")?.state, .alive)
    }

    func testSuspectedNodeRefutesByRaisingItsIncarnation() throws {
        let node = try makeNode()
        let me = node.localMember
        let outputs = feed(node, [.suspect(id: me.id, incarnation: 0, suspecters: ["x"])])
        XCTAssertEqual(node.localMember.incarnation, 1)
        XCTAssertEqual(node.localMember.state, .alive)
        XCTAssertEqual(node.stats.refutations, 1)
        // No member is known yet: only the accuser hears the refutation at once; the rest
        // waits in the queue for the next packet.
        let told = decodedDatagrams(outputs)
        XCTAssertEqual(told.map(\.to), [peerAddress])
        XCTAssertEqual(told.first?.messages.count, 1)
        feed(node, [.alive(member("b"))])
        let ack = decodedDatagrams(feed(node, [.ping(seq: 9, target: me.name)]))
        XCTAssertEqual(ack.count, 1)
        XCTAssertTrue(ack[0].messages.contains(.ack(seq: 9)))
        XCTAssertTrue(ack[0].messages.contains { if case let .alive(m) = $0 { m.id == me.id && m.incarnation == 1 } else { false } })
        // Declared dead at a higher incarnation: refute above it.
        feed(node, [.dead(id: me.id, incarnation: 7, from: "x", left: false)])
        XCTAssertEqual(node.localMember.incarnation, 8)
    }

    func testARefutationGoesStraightToTheAccuserAndTheSuspectersItNames() throws {
        let node = try makeNode()
        let me = node.localMember
        let a = member("a", host: "10.9.0.1")
        let b = member("b", host: "10.9.0.2")
        feed(node, [.alive(a), .alive(b)])
        let relay = NodeAddress(host: "10.9.0.3", port: 7946)
        let outputs = feed(node, [.suspect(id: me.id, incarnation: 0, suspecters: ["a", "b", "unknown"])], from: relay)
        let refuted = decodedDatagrams(outputs).filter { packet in
            packet.messages.contains { if case let .alive(m) = $0 { m.id == me.id && m.incarnation == 1 } else { false } }
        }
        XCTAssertTrue(Set([relay, a.address, b.address]).isSubset(of: Set(refuted.map(\.to))))
    }

    /// When a partition heals, a verdict one side reached about a member of the other crosses
    /// over: the side that holds the accuser dead takes it as a suspicion, which the accused
    /// can refute, not as a death. A verdict from a live accuser is a death as before.
    func testADeathDeclaredByAMemberHeldDeadIsOnlyASuspicion() throws {
        let node = try makeNode()
        let a = member("a", host: "10.9.0.1")
        let across = member("across", host: "10.9.0.2")
        let c = member("c", host: "10.9.0.3")
        feed(node, [.alive(a), .alive(across), .alive(c)])
        feed(node, [.dead(id: across.id, incarnation: 0, from: "c", left: false)])
        XCTAssertEqual(node.member(named: "across")?.state, .dead)

        XCTAssertEqual(events(feed(node, [.dead(id: a.id, incarnation: 0, from: "across", left: false)])), [.suspected(node.member(named: "a")!)])
        XCTAssertEqual(node.member(named: "a")?.state, .suspect)
        var refuted = a
        refuted.incarnation = 1
        XCTAssertEqual(events(feed(node, [.alive(refuted)])), [.refuted(refuted)])

        feed(node, [.dead(id: a.id, incarnation: 1, from: "c", left: false)])
        XCTAssertEqual(node.member(named: "a")?.state, .dead, "a live accuser's verdict stands")
    }

    func testNewProcessReplacesOldIdentityAndOldNewsIsIgnored() throws {
        let node = try makeNode()
        let old = member("b", uid: 10, incarnation: 9)
        feed(node, [.alive(old)])
        feed(node, [.dead(id: old.id, incarnation: 9, from: "c", left: false)])
        XCTAssertEqual(node.member(named: "b")?.state, .dead)
        let restarted = member("b", uid: 11, incarnation: 0)
        XCTAssertEqual(events(feed(node, [.alive(restarted)])), [.joined(restarted)])
        XCTAssertEqual(events(feed(node, [.alive(member("b", uid: 10, incarnation: 50))])), [])
        XCTAssertEqual(events(feed(node, [.suspect(id: old.id, incarnation: 50, suspecters: ["c"])])), [])
        XCTAssertEqual(node.member(named: "b")?.id.uid, 11)
        XCTAssertEqual(node.member(named: "b")?.state, .alive)
    }

    func testRestartWhileStillAliveIsAnUpdate() throws {
        let node = try makeNode()
        feed(node, [.alive(member("b", uid: 10, incarnation: 4))])
        let restarted = member("b", uid: 12)
        XCTAssertEqual(events(feed(node, [.alive(restarted)])), [.updated(restarted)])
    }

    func testFreshUIDsGrowAcrossRestarts() {
        var random = SplitMix64(seed: 3)
        let first = NodeID.freshUID(wallClockNanoseconds: 1_700_000_000_000_000_000, random: &random)
        let second = NodeID.freshUID(wallClockNanoseconds: 1_700_000_000_002_000_000, random: &random)
        XCTAssertLessThan(first, second)
    }

    func testUpdateOfOwnTagsIsGossipedWithHigherIncarnation() throws {
        let node = try makeNode()
        feed(node, [.alive(member("b"))])
        _ = try node.update(tags: ["region": "eu"], meta: ["config_version": "3"], now: .zero)
        XCTAssertEqual(node.localMember.incarnation, 1)
        let ack = decodedDatagrams(feed(node, [.ping(seq: 1, target: "self")]))
        XCTAssertTrue(ack[0].messages.contains(.alive(node.localMember)))
        XCTAssertThrowsError(try node.update(tags: ["k": String(repeating: "x", count: 2000)], now: .zero))
    }

    func testPingForAnotherNameIsNotAnswered() throws {
        let node = try makeNode()
        XCTAssertTrue(decodedDatagrams(feed(node, [.ping(seq: 1, target: "someone-else")])).isEmpty)
    }
}
