import XCTest
@testable import Gossip

final class ProbeRotationTests: XCTestCase {
    /// One node's view: its own uid in slot 0, the others' in slots 1..., in its own order.
    private struct View {
        var uids: [UInt64]
        var live: Set<UInt64>
        var rotation = ProbeRotation()

        init(own: UInt64, others: [UInt64]) {
            uids = [own] + others
            live = Set(uids)
            for (slot, uid) in uids.enumerated() { rotation.insert(ProbeTarget(slot: slot, uid: uid)) }
        }

        mutating func add(_ uid: UInt64) {
            uids.append(uid)
            live.insert(uid)
            rotation.insert(ProbeTarget(slot: uids.count - 1, uid: uid))
        }

        mutating func target(tick: Int64) -> UInt64? {
            let uids = uids, live = live
            return rotation.target(tick: tick, liveCount: live.count) { target in
                live.contains(uids[Int(target.slot)]) ? uids[Int(target.slot)] : nil
            }.map { uids[Int($0.slot)] }
        }
    }

    private func mesh(_ count: Int, seed: UInt64) -> [View] {
        var random = SplitMix64(seed: seed)
        let uids = (0..<count).map { _ in random.next() }
        return uids.map { own in View(own: own, others: uids.filter { $0 != own }.shuffled(using: &random)) }
    }

    func testNodesThatAgreeProbeEveryMemberExactlyOncePerTick() {
        var views = mesh(37, seed: 1)
        for tick in Int64(1_000)..<1_200 {
            let targets = views.indices.map { views[$0].target(tick: tick)! }
            XCTAssertEqual(Set(targets), Set(views.map { $0.uids[0] }), "tick \(tick)")
            for (view, target) in zip(views, targets) { XCTAssertNotEqual(target, view.uids[0]) }
        }
    }

    func testEachPassVisitsEveryOtherMemberInAnOrderThatChangesWithThePass() {
        var views = mesh(17, seed: 2)
        let length = ProbeRotation.passLength(members: 17)
        XCTAssertEqual(length, 16)
        var passes: [[UInt64]] = []
        for pass in Int64(3)..<6 {
            let visited = (pass * length..<(pass + 1) * length).map { views[0].target(tick: $0)! }
            XCTAssertEqual(Set(visited), Set(views[0].uids.dropFirst()))
            passes.append(visited)
        }
        XCTAssertNotEqual(passes[0], passes[1])
        XCTAssertNotEqual(passes[1], passes[2])
    }

    func testAfterAJoinAndADeathTheMeshStillProbesEachMemberOncePerTick() {
        var views = mesh(20, seed: 3)
        _ = views.indices.map { views[$0].target(tick: 40) }
        let newcomerUID: UInt64 = 0xFEED
        var newcomer = View(own: newcomerUID, others: views.map { $0.uids[0] })
        let dead = views.removeLast().uids[0]
        for index in views.indices {
            views[index].live.remove(dead)
            views[index].add(newcomerUID)
        }
        newcomer.live.remove(dead)
        views.append(newcomer)
        for tick in Int64(41)..<80 {
            let targets = views.indices.map { views[$0].target(tick: tick)! }
            XCTAssertFalse(targets.contains(dead))
            XCTAssertEqual(Set(targets).count, views.count, "tick \(tick)")
        }
    }

    func testAMemberThatDiesAndComesBackIsProbedOnce() {
        var view = View(own: 1, others: [2, 3, 4, 5])
        _ = view.target(tick: 0)
        view.live.remove(3)
        _ = view.target(tick: 1)
        view.live.insert(3)
        view.rotation.insert(ProbeTarget(slot: 2, uid: 3))
        let visited = (Int64(4)..<8).map { view.target(tick: $0)! }
        XCTAssertEqual(visited.sorted(), [2, 3, 4, 5])
    }

    func testANodeProbesEveryPeerOverItsPasses() throws {
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
        XCTAssertEqual(Set(probed), Set(peers.map(\.name)))
    }

    /// Reaping a tombstone moves the last member into its slot; the rotation follows it.
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
