import XCTest
@testable import Gossip

final class ProbeScheduleTests: XCTestCase {
    func testEveryPassVisitsEveryMemberOnceInAFreshOrder() {
        var schedule = ProbeSchedule<NodeID>()
        var random = SplitMix64(seed: 11)
        let ids = (0..<20).map { NodeID(name: "n\($0)", uid: UInt64($0)) }
        var passes: [[NodeID]] = []
        for _ in 0..<3 {
            var pass: [NodeID] = []
            for _ in 0..<ids.count {
                pass.append(schedule.next(random: &random, isEligible: { _ in true }, candidates: { ids })!)
            }
            XCTAssertEqual(Set(pass), Set(ids))
            passes.append(pass)
        }
        XCTAssertNotEqual(passes[0], passes[1])
        XCTAssertNotEqual(passes[1], passes[2])
    }

    func testMemberJoiningMidPassIsVisitedInThatPassAndGoneMembersAreSkipped() {
        var schedule = ProbeSchedule<NodeID>()
        var random = SplitMix64(seed: 5)
        let ids = (0..<10).map { NodeID(name: "n\($0)", uid: 0) }
        let gone = ids[3]
        var visited: [NodeID] = []
        visited.append(schedule.next(random: &random, isEligible: { $0 != gone }, candidates: { ids })!)
        let newcomer = NodeID(name: "new", uid: 0)
        schedule.insert(newcomer, random: &random)
        while schedule.remainingInPass > 0 {
            if let id = schedule.next(random: &random, isEligible: { $0 != gone }, candidates: { [] }) { visited.append(id) }
        }
        XCTAssertEqual(Set(visited), Set(ids + [newcomer]).subtracting([gone]))
        XCTAssertEqual(visited.count, 10)
    }

    func testNodeProbesEveryMemberOncePerPass() throws {
        let node = try makeNode()
        let peers = (0..<8).map { member("p\($0)", host: "10.2.0.\($0 + 1)") }
        feed(node, peers.map(Message.alive))
        var probed: [String] = []
        var now = Instant.seconds(1)
        for _ in 0..<16 {
            for (_, messages) in decodedDatagrams(node.tick(now: now)) {
                for case let .ping(seq, target) in messages {
                    probed.append(target)
                    feed(node, [.ack(seq: seq)], at: now)
                }
            }
            now = now + GossipConfig.local.protocolPeriod
        }
        XCTAssertGreaterThanOrEqual(probed.count, 15)
        XCTAssertEqual(Set(probed.prefix(8)), Set(peers.map(\.name)))
        XCTAssertEqual(Set(probed.dropFirst(8).prefix(7)).count, 7)
    }

    func testAReplacedEntryIsVisitedUnderItsNewValueInTheSamePass() {
        var schedule = ProbeSchedule<Int>()
        var random = SplitMix64(seed: 3)
        var visited = [schedule.next(random: &random, isEligible: { _ in true }, candidates: { Array(0..<8) })!]
        let pending = (0..<8).filter { !visited.contains($0) }
        schedule.replace(pending[0], with: 100)
        while schedule.remainingInPass > 0 {
            visited.append(schedule.next(random: &random, isEligible: { _ in true }, candidates: { [] })!)
        }
        XCTAssertEqual(Set(visited), Set(Array(0..<8) + [100]).subtracting([pending[0]]))
    }

    /// Reaping a tombstone moves the last member into its slot; the schedule follows it.
    func testMembersMovedByAReapedTombstoneAreStillProbed() throws {
        let node = try makeNode()
        let peers = (0..<6).map { member("p\($0)", host: "10.7.0.\($0 + 1)") }
        feed(node, peers.map(Message.alive))
        feed(node, [.dead(id: peers[0].id, incarnation: 0, from: "p1", left: false)])
        var now = Instant.seconds(0.001)
        func probeFor(_ duration: Duration) -> Set<String> {
            var probed: Set<String> = []
            let end = now + duration
            while now < end {
                for (to, messages) in decodedDatagrams(node.tick(now: now)) {
                    for case let .ping(seq, target) in messages {
                        probed.insert(target)
                        feed(node, [.ack(seq: seq)], from: to, at: now)
                    }
                }
                now = max(now + .milliseconds(1), node.nextDeadline)
            }
            return probed
        }
        _ = probeFor(GossipConfig.local.tombstoneTimeout + .seconds(1))
        XCTAssertNil(node.member(named: "p0"))
        let probed = probeFor(GossipConfig.local.protocolPeriod * 11)
        XCTAssertEqual(probed, Set(peers.dropFirst().map(\.name)))
    }
}
