import XCTest
@testable import Gossip

/// End to end over the in-test mesh: join, failure detection, rumors, leave.
final class MeshTests: XCTestCase {
    private func fiveNodeMesh(config: GossipConfig = .local) throws -> TestMesh {
        let mesh = TestMesh()
        for i in 0..<5 { _ = try mesh.addNode("n\(i)", config: config) }
        mesh.joinAll(through: mesh.nodes[0])
        return mesh
    }

    func testNodesJoiningThroughOneSeedAllSeeEachOther() throws {
        let mesh = try fiveNodeMesh()
        XCTAssertNotNil(mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() })
        XCTAssertTrue(mesh.nodes.allSatisfy { $0.members.count == 5 })
    }

    /// A join is announced by the newcomer and forwarded once by those who hear it first
    /// hand, so most of the mesh knows within a few network delays, well inside one gossip
    /// interval; the rest hear it by gossip.
    func testAJoinReachesMostOfTheMeshWithinNetworkHopsNotGossipRounds() throws {
        let mesh = TestMesh()
        for i in 0..<12 { _ = try mesh.addNode("n\(i)", config: .lan) }
        mesh.joinAll(through: mesh.nodes[0])
        XCTAssertNotNil(mesh.run(until: .seconds(10)) { mesh.allSeeAllAlive() })
        mesh.run(for: .seconds(5))
        let newcomer = try mesh.addNode("new", config: .lan)
        mesh.deliver(newcomer.join(seeds: [mesh.nodes[0].localMember.address], now: mesh.now), from: newcomer)
        mesh.run(for: mesh.latency * 3)
        let knowing = mesh.nodes.filter { $0 !== newcomer && $0.member(named: "new")?.state == .alive }
        XCTAssertGreaterThanOrEqual(knowing.count, 9, "only \(knowing.map(\.localMember.name)) know the newcomer")
        XCTAssertNotNil(mesh.run(until: GossipConfig.lan.gossipInterval * 3) { mesh.allSeeAllAlive() })
    }

    func testJoinThroughAListWithDeadSeeds() throws {
        let mesh = TestMesh()
        let seed = try mesh.addNode("seed")
        let newcomer = try mesh.addNode("new")
        let dead = [NodeAddress(host: "127.0.0.99", port: 7946), NodeAddress(host: "127.0.0.98", port: 7946)]
        mesh.deliver(newcomer.join(seeds: dead + [seed.localMember.address], now: mesh.now), from: newcomer)
        XCTAssertNotNil(mesh.run(until: .seconds(1)) { mesh.allSeeAllAlive() })
    }

    func testMeshSplitAtStartMergesThroughPeriodicRejoin() throws {
        let mesh = TestMesh()
        let a = try mesh.addNode("a")
        let b = try mesh.addNode("b")
        // b's seed is down when it starts; it comes up later and b re-joins on its own.
        mesh.crash(a)
        mesh.deliver(b.join(seeds: [a.localMember.address], now: mesh.now), from: b)
        mesh.run(for: .seconds(1))
        mesh.down.remove(a.localMember.address)
        XCTAssertNotNil(mesh.run(until: GossipConfig.local.rejoinInterval + .seconds(1)) { mesh.allSeeAllAlive() })
    }

    func testPeriodicRejoinGoesOnlyToASeedThisNodeDoesNotHoldLive() throws {
        let node = try makeNode()
        let seed = member("seed")
        _ = node.join(seeds: [seed.address], now: .zero)
        feed(node, [.alive(seed)])
        func rejoinedSeeds(at now: Instant) -> [NodeAddress] {
            node.tick(now: now).compactMap { output in
                guard case let .stream(bytes, to) = output,
                      case .pushPull(_, true, _, _)? = MessageDecoder.decode(bytes).messages.first else { return nil }
                return to
            }
        }
        let interval = GossipConfig.settled.rejoinInterval
        XCTAssertEqual(rejoinedSeeds(at: .zero + interval), [], "the seed is a live member: no split to mend")
        feed(node, [.dead(id: seed.id, incarnation: 0, from: "x", left: false)], at: .zero + interval)
        XCTAssertEqual(rejoinedSeeds(at: .zero + interval * 2), [seed.address])
    }

    func testCrashedNodeIsDetectedByEverySurvivor() throws {
        let mesh = try fiveNodeMesh()
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        let victim = mesh.nodes[3]
        mesh.crash(victim)
        let config = GossipConfig.local
        // Worst case: one pass over 4 members, one period to judge, then the maximum suspicion timeout.
        let bound = config.protocolPeriod * 6 + config.probeTimeout * (config.suspicionMultiplier * config.suspicionMaxMultiplier)
        let took = mesh.run(until: bound) {
            mesh.nodes.filter { !mesh.isDown($0) }.allSatisfy { $0.member(named: "n3")?.state == .dead }
        }
        XCTAssertNotNil(took)
        for node in mesh.nodes where node !== victim {
            XCTAssertEqual(mesh.events[node.localMember.name]!.filter {
                if case .failed(let m) = $0 { m.name == "n3" } else { false }
            }.count, 1)
            XCTAssertEqual(node.member(named: "n0")?.state, .alive)
        }
    }

    /// In a small mesh every survivor probes the crashed node again while it is still
    /// suspect; a repeated failed probe must confirm the suspicion, not restart its timer.
    func testCrashInAThreeNodeMeshIsDeclaredDeadWithinTheSuspicionTimeout() throws {
        for profile in [GossipConfig.local, GossipConfig.lan] {
            let mesh = TestMesh()
            for i in 0..<3 { _ = try mesh.addNode("n\(i)", config: profile) }
            mesh.joinAll(through: mesh.nodes[0])
            XCTAssertNotNil(mesh.run(until: .seconds(10)) { mesh.allSeeAllAlive() })
            mesh.crash(mesh.nodes[2])
            let bound = profile.protocolPeriod * 4
                + profile.probeTimeout * (profile.suspicionMultiplier * profile.suspicionMaxMultiplier)
            let took = mesh.run(until: bound) {
                mesh.nodes.prefix(2).allSatisfy { $0.member(named: "n2")?.state == .dead }
            }
            XCTAssertNotNil(took, "profile with period \(profile.protocolPeriod): n2 never declared dead")
        }
    }

    func testNoFalseDeathsUnderLossWhileEveryoneIsAlive() throws {
        let mesh = try fiveNodeMesh()
        var random = SplitMix64(seed: 99)
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        mesh.drop = { _, _, _ in Double.random(in: 0..<1, using: &random) < 0.1 }
        mesh.run(for: .seconds(60))
        let deaths = mesh.events.values.flatMap { $0 }.filter { if case .failed = $0 { true } else { false } }
        XCTAssertEqual(deaths.count, 0)
        XCTAssertTrue(mesh.allSeeAllAlive() || mesh.nodes.allSatisfy { $0.members.allSatisfy { $0.isLive } })
    }

    func testRumorReachesEveryNodeOnceAndRepeatsAreIgnored() throws {
        let mesh = try fiveNodeMesh()
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        let origin = mesh.nodes[2]
        let rumor = Rumor(subject: "config", version: 7, payload: Array("v7".utf8), urgent: false)
        mesh.deliver(try origin.broadcast(rumor, now: mesh.now), from: origin)
        let others = mesh.nodes.filter { $0 !== origin }
        XCTAssertNotNil(mesh.run(until: .seconds(2)) { others.allSatisfy { !mesh.rumors[$0.localMember.name]!.isEmpty } })
        mesh.deliver(try origin.broadcast(rumor, now: mesh.now), from: origin)
        var older = rumor
        older.version = 6
        mesh.deliver(try origin.broadcast(older, now: mesh.now), from: origin)
        mesh.run(for: .seconds(2))
        for node in others {
            XCTAssertEqual(mesh.rumors[node.localMember.name]!.map(\.0), [rumor])
        }
        XCTAssertTrue(mesh.rumors[origin.localMember.name]!.isEmpty)
    }

    func testUrgentRumorArrivesWithinNetworkHopsNotGossipRounds() throws {
        let mesh = try fiveNodeMesh()
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        mesh.run(for: .seconds(3))
        let origin = mesh.nodes[0]
        let rumor = Rumor(subject: "cache:/a", version: 1, urgent: true)
        let start = mesh.now
        mesh.deliver(try origin.broadcast(rumor, now: mesh.now), from: origin)
        mesh.run(for: .milliseconds(30))
        for node in mesh.nodes where node !== origin {
            let delivered = try XCTUnwrap(mesh.rumors[node.localMember.name]!.first)
            XCTAssertLessThanOrEqual(delivered.1 - start, mesh.latency * 4, "\(node.localMember.name)")
        }
    }

    func testLateJoinerGetsRecentRumorsThroughPushPull() throws {
        let mesh = try fiveNodeMesh()
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        let rumor = Rumor(subject: "config", version: 3, payload: [3])
        mesh.deliver(try mesh.nodes[0].broadcast(rumor, now: mesh.now), from: mesh.nodes[0])
        mesh.run(for: .seconds(5))
        let late = try mesh.addNode("late")
        mesh.deliver(late.join(seeds: [mesh.nodes[1].localMember.address], now: mesh.now), from: late)
        XCTAssertEqual(mesh.rumors["late"]!.map(\.0), [rumor])
    }

    func testGracefulLeaveIsSeenAsLeftNotFailed() throws {
        let mesh = try fiveNodeMesh()
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        let leaver = mesh.nodes[4]
        mesh.deliver(leaver.leave(now: mesh.now), from: leaver)
        mesh.run(for: GossipConfig.local.gossipInterval * 5)
        mesh.crash(leaver)
        mesh.run(for: .seconds(10))
        for node in mesh.nodes where node !== leaver {
            XCTAssertEqual(node.member(named: "n4")?.state, .left)
            let seen = mesh.events[node.localMember.name]!.filter { $0.member.name == "n4" }
            XCTAssertTrue(seen.contains { if case .left = $0 { true } else { false } })
            XCTAssertFalse(seen.contains { if case .failed = $0 { true } else { false } })
        }
        XCTAssertThrowsError(try leaver.broadcast(Rumor(subject: "x", version: 1), now: mesh.now))
    }

    func testEveryDatagramFitsTheBudgetEvenWithManyUpdates() throws {
        let mesh = try fiveNodeMesh()
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        for i in 0..<200 {
            let node = mesh.nodes[i % 5]
            let rumor = Rumor(subject: "cache:/item/\(i)", version: 1, payload: [UInt8](repeating: 7, count: 100 + i))
            mesh.deliver(try node.broadcast(rumor, now: mesh.now), from: node)
        }
        // Gossip alone may miss a few of 200 rumors in a mesh of five (4 sends each); push-pull repairs it.
        mesh.run(for: GossipConfig.local.pushPullInterval * 2 + .seconds(1))
        XCTAssertLessThanOrEqual(mesh.largestDatagram, GossipConfig.local.maxPacketSize)
        XCTAssertGreaterThan(mesh.largestDatagram, GossipConfig.local.maxPacketSize - 400)
        for node in mesh.nodes {
            XCTAssertEqual(mesh.rumors[node.localMember.name]!.count, 160)
        }
        XCTAssertThrowsError(try mesh.nodes[0].broadcast(Rumor(subject: "big", version: 1, payload: [UInt8](repeating: 0, count: 1400)),
                                                         now: mesh.now))
    }
}

final class StreamFallbackTests: XCTestCase {
    func testAStreamPingIsAnsweredWithAnAck() throws {
        let node = try makeNode()
        var encoder = MessageEncoder()
        let (reply, _) = node.receive(stream: encoder.packet([.ping(seq: 41, target: "self")]), from: peerAddress, now: .zero)
        XCTAssertEqual(MessageDecoder.decode(reply).messages, [.ack(seq: 41)])
        let (none, _) = node.receive(stream: encoder.packet([.ping(seq: 42, target: "other")]), from: peerAddress, now: .zero)
        XCTAssertTrue(none.isEmpty)
    }

    func testNodeUnreachableOverUDPButNotOverStreamsIsNotSuspected() throws {
        let mesh = TestMesh()
        for i in 0..<4 { _ = try mesh.addNode("n\(i)") }
        mesh.joinAll(through: mesh.nodes[0])
        mesh.run(until: .seconds(2)) { mesh.allSeeAllAlive() }
        let cutOff = mesh.nodes[1].localMember.address
        mesh.drop = { _, to, _ in to == cutOff }
        mesh.run(for: .seconds(10))
        let suspicions = mesh.events.values.flatMap { $0 }.filter { if case .suspected = $0 { true } else { false } }
        XCTAssertEqual(suspicions, [])
        XCTAssertGreaterThan(mesh.nodes.map(\.stats.streamProbesSent).reduce(0, +), 10)
    }
}
