import XCTest
@testable import Gossip

/// How a refutation reaches the nodes whose suspicion timers are running: the suspect
/// answers every late accuser directly, a node that holds the refutation answers a stale
/// suspicion directly, and a refutation goes ahead of all other news.
final class RefutationSpreadTests: XCTestCase {
    private let lateAccuser = NodeAddress(host: "10.4.0.9", port: 7946)

    private func aliveRecords(_ outputs: [GossipOutput], to address: NodeAddress) -> [Member] {
        decodedDatagrams(outputs).filter { $0.to == address }.flatMap { _, messages in
            messages.compactMap { if case let .alive(member) = $0 { member } else { nil } }
        }
    }

    func testAStaleSuspicionIsAnsweredWithTheCurrentIncarnation() throws {
        let node = try makeNode()
        feed(node, [.alive(member("c", host: "10.4.0.3")), .alive(member("d", host: "10.4.0.9"))])
        let me = node.localMember.id
        feed(node, [.suspect(id: me, incarnation: 0, suspecters: ["c"])], at: .seconds(1))
        XCTAssertEqual(node.localMember.incarnation, 1)

        let outputs = feed(node, [.suspect(id: me, incarnation: 0, suspecters: ["d"])],
                           from: lateAccuser, at: .seconds(1.5))
        XCTAssertEqual(node.localMember.incarnation, 1, "a stale suspicion is not refuted again")
        XCTAssertEqual(aliveRecords(outputs, to: lateAccuser).map(\.incarnation), [1])
        XCTAssertEqual(node.stats.refutations, 1)

        let again = feed(node, [.suspect(id: me, incarnation: 0, suspecters: ["d"])],
                         from: lateAccuser, at: .seconds(1.6))
        XCTAssertTrue(aliveRecords(again, to: lateAccuser).isEmpty, "each accuser is answered once per incarnation")
    }

    func testAStaleDeathIsAnsweredToo() throws {
        let node = try makeNode()
        feed(node, [.alive(member("c", host: "10.4.0.3"))])
        let me = node.localMember.id
        feed(node, [.suspect(id: me, incarnation: 0, suspecters: ["c"])], at: .seconds(1))

        let outputs = feed(node, [.dead(id: me, incarnation: 0, from: "c", left: false)],
                           from: lateAccuser, at: .seconds(2))
        XCTAssertEqual(aliveRecords(outputs, to: lateAccuser).map(\.incarnation), [1])
    }

    /// A node the refutation missed still passes on the suspicion it holds; whoever holds the
    /// refutation sends it straight back.
    func testAStaleSuspicionOfAnotherMemberIsAnsweredWithItsRefutation() throws {
        let node = try makeNode()
        var refuted = member("m", host: "10.4.0.5")
        feed(node, [.alive(refuted)])
        refuted.incarnation = 1
        feed(node, [.alive(refuted)], at: .seconds(0.1))

        let outputs = feed(node, [.suspect(id: refuted.id, incarnation: 0, suspecters: ["c"])],
                           from: lateAccuser, at: .seconds(0.2))
        XCTAssertEqual(aliveRecords(outputs, to: lateAccuser), [refuted])
        XCTAssertEqual(node.member(named: "m")?.state, .alive)
    }

    func testAStaleSuspicionIsNotAnsweredWithoutLifeguard() throws {
        var config = GossipConfig.settled
        config.lifeguard = false
        let node = try makeNode(config: config)
        var refuted = member("m", host: "10.4.0.5")
        feed(node, [.alive(refuted)])
        refuted.incarnation = 1
        feed(node, [.alive(refuted)], at: .seconds(0.1))

        let outputs = feed(node, [.suspect(id: refuted.id, incarnation: 0, suspecters: ["c"])],
                           from: lateAccuser, at: .seconds(0.2))
        XCTAssertTrue(aliveRecords(outputs, to: lateAccuser).isEmpty)
    }

    /// In a mass join every packet fills with alive records sent 0 times; a refutation
    /// queued as plain news would wait behind them once it had been sent.
    func testARefutationHeardWithoutItsSuspicionGoesAheadOfJoinNews() throws {
        let node = try makeNode()
        let refuted = member("m", host: "10.4.0.5")
        feed(node, [.alive(refuted)])
        var raised = refuted
        raised.incarnation = 1
        feed(node, [.alive(raised)], at: .seconds(0.1))
        XCTAssertEqual(node.member(named: "m")?.incarnation, 1)
        // Sent once, piggybacked on an ack.
        let first = feed(node, [.ping(seq: 1, target: "self")], at: .seconds(0.2))
        XCTAssertTrue(decodedDatagrams(first).flatMap(\.messages).contains(.alive(raised)))
        // Then a burst of joins, heard second-hand: fresh plain news, more than a packet holds.
        feed(node, (0..<60).map { .alive(member("join\($0)", host: "10.5.0.\($0 + 1)")) }, at: .seconds(0.3))
        let next = feed(node, [.ping(seq: 2, target: "self")], at: .seconds(0.4))
        let messages = decodedDatagrams(next).flatMap(\.messages)
        XCTAssertTrue(messages.contains { if case .alive = $0 { true } else { false } }, "the packet carries join news too")
        XCTAssertTrue(messages.contains(.alive(raised)), "the refutation is not held back by join news")
    }

    /// In a mass start with slow nodes, fresh suspicions and dogpile confirmations (urgent,
    /// sent 0 times) kept coming; a refutation among them, once sent, waited behind them, and
    /// the last nodes' timers ran out before it reached them.
    func testARefutationGoesAheadOfFresherSuspicions() throws {
        let node = try makeNode()
        let others = (0..<60).map { member("peer\($0)", host: "10.6.0.\($0 + 1)") }
        let suspect = member("m", host: "10.4.0.5")
        feed(node, [.alive(suspect)] + others.map { .alive($0) })
        feed(node, [.suspect(id: suspect.id, incarnation: 0, suspecters: ["peer0"])], at: .seconds(0.1))
        var refutation = suspect
        refutation.incarnation = 1
        feed(node, [.alive(refutation)], at: .seconds(0.2))
        let first = feed(node, [.ping(seq: 1, target: "self")], at: .seconds(0.3))
        XCTAssertTrue(decodedDatagrams(first).flatMap(\.messages).contains(.alive(refutation)))
        // More fresh suspicions than a packet holds, heard second-hand.
        feed(node, others.dropFirst().map { .suspect(id: $0.id, incarnation: 0, suspecters: ["peer0"]) },
             at: .seconds(0.4))
        let next = feed(node, [.ping(seq: 2, target: "self")], at: .seconds(0.5))
        let messages = decodedDatagrams(next).flatMap(\.messages)
        XCTAssertTrue(messages.contains { if case .suspect = $0 { true } else { false } }, "the packet carries suspicions too")
        XCTAssertTrue(messages.contains(.alive(refutation)), "the refutation is not held back by fresher suspicions")
    }
}
