import XCTest
@testable import Gossip

final class LifeguardTests: XCTestCase {
    func testBuddySuspectLearnsOnNextPingAndRefutesInTheAck() throws {
        let mesh = TestMesh()
        let a = try mesh.addNode("a")
        let b = try mesh.addNode("b")
        mesh.joinAll(through: a)
        mesh.run(until: .seconds(1)) { mesh.allSeeAllAlive() }
        // a suspects b (say, from a lost ack), but nothing else reaches b except a's pings.
        let bID = b.localMember.id
        var encoder = MessageEncoder()
        let fromC = NodeAddress(host: "10.9.9.9", port: 1)
        _ = a.receive(datagram: encoder.packet([.suspect(id: bID, incarnation: b.localMember.incarnation, suspecters: ["c"])]),
                      from: fromC, now: mesh.now)
        XCTAssertEqual(a.member(named: "b")?.state, .suspect)
        var sawBuddy = false
        mesh.drop = { from, _, bytes in
            if from == a.localMember.address {
                let messages = MessageDecoder.decode(bytes).messages
                let ping = messages.contains { if case .ping = $0 { true } else { false } }
                if ping, messages.first == .suspect(id: bID, incarnation: 0, suspecters: ["c"]) { sawBuddy = true }
                return !ping
            }
            return false
        }
        XCTAssertNotNil(mesh.run(until: .seconds(1)) { a.member(named: "b")?.state == .alive })
        XCTAssertTrue(sawBuddy)
        XCTAssertEqual(b.localMember.incarnation, 1)
        XCTAssertEqual(b.stats.refutations, 1)
    }

    /// Gossip to a suspect carries its suspicion first, also once the queue has sent it as
    /// often as it may: the suspect hears of it from whoever holds it, however full the
    /// queue is of other news.
    func testEveryGossipPacketToASuspectCarriesItsSuspicion() throws {
        let node = try makeNode()
        let suspect = member("m", host: "10.4.0.5")
        feed(node, [.alive(suspect)])
        feed(node, [.suspect(id: suspect.id, incarnation: 0, suspecters: ["c"])], at: .seconds(0.05))
        // Gossip packets to the suspect once the queue has sent the suspicion its limit.
        var afterLimit: [[Message]] = []
        var time = 0.1
        while time <= 0.6 {
            let queuedBefore = node.queue.transmits(of: .member("m")) != nil
            let outputs = node.tick(now: .seconds(time))
            let queued = queuedBefore || node.queue.transmits(of: .member("m")) != nil
            for (to, messages) in decodedDatagrams(outputs)
            where to == suspect.address && !queued && !messages.contains(where: { if case .ping = $0 { true } else { false } }) {
                afterLimit.append(messages)
            }
            time += 0.05
        }
        XCTAssertEqual(node.member(named: "m")?.state, .suspect)
        XCTAssertFalse(afterLimit.isEmpty, "gossip to the suspect goes on after the queue has sent the suspicion its limit")
        for messages in afterLimit {
            guard case let .suspect(id, incarnation, _)? = messages.first else {
                return XCTFail("a gossip packet to the suspect does not open with its suspicion: \(messages)")
            }
            XCTAssertEqual(id, suspect.id)
            XCTAssertEqual(incarnation, 0)
        }
    }

    func testMissedNacksRaiseAwarenessWhichStretchesTheProbeInterval() throws {
        let node = try makeNode()
        feed(node, (0..<4).map { .alive(member("p\($0)", host: "10.3.0.\($0 + 1)")) })
        // Nothing ever answers: each probe misses its ack and every expected nack.
        var now = Instant.seconds(1)
        var probeTimes: [Instant] = []
        while now < .seconds(6) {
            for (_, messages) in decodedDatagrams(node.tick(now: now)) where messages.contains(where: { if case .ping = $0 { true } else { false } }) {
                probeTimes.append(now)
            }
            now = max(now + .milliseconds(1), node.nextDeadline)
        }
        XCTAssertEqual(node.stats.awarenessScore, GossipConfig.local.awarenessMax - 1)
        let gaps = zip(probeTimes.dropFirst(), probeTimes).map { $0 - $1 }
        XCTAssertEqual(gaps.first, GossipConfig.local.protocolPeriod)
        XCTAssertEqual(gaps.last, GossipConfig.local.protocolPeriod * GossipConfig.local.awarenessMax)
    }

    /// A node that has just started has no evidence of its own health: its first probes
    /// are stretched as by a score of 2, and each timely ack earns one step down.
    func testANewNodeStartsPatientAndTimelyAcksEarnItDown() throws {
        let node = try makeNode(config: .local)
        XCTAssertEqual(node.stats.awarenessScore, GossipConfig.local.awarenessAtStart)
        _ = feed(node, [.alive(member("p", host: "10.3.0.1"))])
        var now = Instant.zero
        for expected in [1, 0, 0] {
            var pings: [UInt32] = []
            while pings.isEmpty {
                now = max(now + .milliseconds(1), node.nextDeadline)
                pings = decodedDatagrams(node.tick(now: now)).flatMap { _, messages in
                    messages.compactMap { if case let .ping(seq, _) = $0 { seq } else { nil } }
                }
            }
            _ = feed(node, [.ack(seq: pings[0])], at: now + .milliseconds(1))
            XCTAssertEqual(node.stats.awarenessScore, expected)
        }
        var off = GossipConfig.local
        off.lifeguard = false
        XCTAssertEqual(try makeNode(config: off).stats.awarenessScore, 0)
    }

    func testAcksBringAwarenessBackDown() throws {
        var awareness = Awareness(max: 8, enabled: true)
        awareness.apply(delta: 3)
        XCTAssertEqual(awareness.scale(.seconds(1)), .seconds(4))
        awareness.apply(delta: -1)
        awareness.apply(delta: -5)
        XCTAssertEqual(awareness.score, 0)
        var off = Awareness(max: 8, enabled: false)
        off.apply(delta: 5)
        XCTAssertEqual(off.scale(.seconds(1)), .seconds(1))
    }

    func testRelaysThatNackCountAsConfirmations() throws {
        let node = try makeNode()
        let peers = (0..<4).map { member("p\($0)", host: "10.4.0.\($0 + 1)") }
        feed(node, peers.map(Message.alive))
        var now = Instant.seconds(1)
        // Run one probe: no ack from the target, every relay nacks.
        func suspected() -> Member? { node.members.first { $0.state == .suspect } }
        while suspected() == nil {
            for (to, messages) in decodedDatagrams(node.tick(now: now)) {
                for case let .pingReq(seq, _, _, _) in messages { feed(node, [.nack(seq: seq)], from: to, at: now) }
            }
            now = node.nextDeadline
            XCTAssertLessThan(now, .seconds(3))
        }
        let target = try XCTUnwrap(suspected()).name
        XCTAssertEqual(node.stats.nacksReceived, 3)
        XCTAssertEqual(node.stats.awarenessScore, 0)
        let (minimum, _) = node.suspicionBounds()
        let end = now + minimum
        while now < end {
            for (to, messages) in decodedDatagrams(node.tick(now: now)) {
                for case let .pingReq(seq, _, _, _) in messages { feed(node, [.nack(seq: seq)], from: to, at: now) }
            }
            now = min(end, max(now + .milliseconds(1), node.nextDeadline))
        }
        _ = node.tick(now: end)
        XCTAssertEqual(node.member(named: target)?.state, .dead)
    }

    /// The minimum gives a refutation time to reach every suspecter of 1,000 members; a
    /// larger mesh spreads it in more rounds (log N), and its suspicions wait as much longer.
    func testAFullyConfirmedSuspicionWaitsLongerInAMeshOverAThousandMembers() throws {
        var config = GossipConfig.settled
        config.awarenessMax = 1
        let base = config.probeTimeout * config.suspicionMultiplier
        for (members, minimum) in [(10, base), (1_000, base), (5_000, base.scaled(by: log10(5_000) / 3))] {
            let node = try makeNode(config: config)
            feed(node, (1..<members).map { .alive(member("p\($0)", host: "10.6.\($0 / 256).\($0 % 256)")) })
            XCTAssertEqual(node.liveMemberCount, members)
            let p1 = NodeID(name: "p1", uid: 1)
            feed(node, [.suspect(id: p1, incarnation: 0, suspecters: ["p2", "p3", "p4", "p5"])], at: .seconds(1))
            _ = node.tick(now: .seconds(1) + minimum - .milliseconds(1))
            XCTAssertEqual(node.member(named: "p1")?.state, .suspect, "\(members) members")
            _ = node.tick(now: .seconds(1) + minimum)
            XCTAssertEqual(node.member(named: "p1")?.state, .dead, "\(members) members")
        }
    }

    /// Nacks due at the same tick go out in the order the ping-reqs came, whatever the
    /// process's hash seed: the same inputs give the same outputs, in the simulator too.
    func testNacksDueTogetherGoOutInTheOrderTheirRequestsCame() throws {
        let node = try makeNode()
        feed(node, (1...20).map { .alive(member("t\($0)", host: "10.7.0.\($0)")) })
        for seq in UInt32(1)...20 {
            feed(node, [.pingReq(seq: seq, target: "t\(seq)", address: NodeAddress(host: "10.7.0.\(seq)", port: 7946),
                                 wantsNack: true)],
                 from: NodeAddress(host: "10.8.0.\(seq)", port: 7946))
        }
        let nacks = decodedDatagrams(node.tick(now: .zero + GossipConfig.settled.probeTimeout)).flatMap { datagram in
            datagram.messages.compactMap { message -> UInt32? in
                if case let .nack(seq) = message { seq } else { nil }
            }
        }
        XCTAssertEqual(nacks, Array(1...20))
    }
}
