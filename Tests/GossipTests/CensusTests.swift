import XCTest
@testable import Gossip

/// A peer's census (how many members it holds live) against what this node knows: a node
/// that gossip left without some member fetches the peer's state once gossip here is quiet.
final class CensusTests: XCTestCase {
    /// The local profile (gossip every 50 ms: quiet after 100 ms, one exchange per 200 ms),
    /// with the periodic push-pull out of the way.
    static let config: GossipConfig = {
        var config = GossipConfig.settled
        config.pushPullInterval = .seconds(3600)
        return config
    }()

    let ahead = NodeAddress(host: "10.0.0.9", port: 7946)
    let other = NodeAddress(host: "10.0.0.10", port: 7946)

    /// Self and two members: three known, three live.
    func nodeKnowingThree() throws -> GossipNode {
        let node = try makeNode(config: Self.config)
        feed(node, [.alive(member("a")), .alive(member("b"))])
        return node
    }

    func stateRequests(_ outputs: [GossipOutput]) -> [NodeAddress] {
        outputs.compactMap { output in
            guard case let .stream(bytes, to) = output,
                  case .pushPull? = MessageDecoder.decode(bytes).messages.first else { return nil }
            return to
        }
    }

    func requests(_ node: GossipNode, from start: Double, to end: Double) -> [(at: Double, to: NodeAddress)] {
        stride(from: start, through: end, by: 0.01).flatMap { t in
            stateRequests(node.tick(now: .seconds(t))).map { (t, $0) }
        }
    }

    func testAPeerHoldingMoreMembersLiveIsAskedForItsStateOnceGossipHereIsQuiet() throws {
        let node = try nodeKnowingThree()
        feed(node, [.census(live: 5)], from: ahead, at: .seconds(0.5))
        let asked = requests(node, from: 0.5, to: 1.5)
        XCTAssertEqual(asked.map(\.to), [ahead], "one exchange, with the peer that showed more")
        XCTAssertEqual(asked.first?.at ?? 0, 0.6, accuracy: 0.011, "after 100 ms without news")
        XCTAssertEqual(node.stats.censusExchanges, 1)
    }

    func testACensusNoLargerThanEveryMemberKnownAsksForNothing() throws {
        let node = try nodeKnowingThree()
        feed(node, [.census(live: 3)], from: ahead, at: .seconds(0.5))
        XCTAssertTrue(requests(node, from: 0.5, to: 1.5).isEmpty)
        // A member this node holds dead still counts as known: a peer holding four live
        // members may be holding that one alive, and shows nothing new.
        feed(node, [.dead(id: NodeID(name: "a", uid: 1), incarnation: 0, from: "x", left: false)], at: .seconds(1.5))
        XCTAssertEqual(node.liveMemberCount, 2)
        feed(node, [.census(live: 3)], from: ahead, at: .seconds(1.6))
        XCTAssertTrue(requests(node, from: 1.6, to: 2.5).isEmpty)
        XCTAssertEqual(node.stats.censusExchanges, 0)
    }

    func testGossipBringingTheMissingMembersCancelsTheExchange() throws {
        let node = try nodeKnowingThree()
        feed(node, [.census(live: 4)], from: ahead, at: .seconds(0.5))
        feed(node, [.alive(member("c"))], at: .seconds(0.55))
        XCTAssertTrue(requests(node, from: 0.55, to: 1.5).isEmpty)
    }

    func testMembersStillArrivingPostponeTheExchange() throws {
        let node = try nodeKnowingThree()
        feed(node, [.census(live: 9)], from: ahead, at: .seconds(0.5))
        for (index, name) in ["c", "d", "e"].enumerated() {
            let t = 0.5 + 0.08 * Double(index + 1)
            _ = requests(node, from: t - 0.07, to: t - 0.01)
            feed(node, [.alive(member(name))], at: .seconds(t))
        }
        let asked = requests(node, from: 0.74, to: 1.5)
        XCTAssertEqual(asked.map(\.to), [ahead])
        XCTAssertEqual(asked.first?.at ?? 0, 0.84, accuracy: 0.011, "100 ms after the last member arrived")
    }

    /// Spaced by a protocol period times the push-pull interval's factor (1 below 33 members).
    func testExchangesPromptedByCensusesAreSpacedByAProtocolPeriod() throws {
        let node = try nodeKnowingThree()
        XCTAssertEqual(try secondExchange(node, census: 5), 0.8, accuracy: 0.011, "a protocol period (200 ms) after the first")
    }

    /// When the exchange prompted by a census heard at 0.5 s, whose reply never came (a lost
    /// stream), is followed by one with another peer that still shows more.
    func secondExchange(_ node: GossipNode, census live: UInt32) throws -> Double {
        feed(node, [.census(live: live)], from: ahead, at: .seconds(0.5))
        XCTAssertEqual(requests(node, from: 0.5, to: 0.65).map(\.to), [ahead])
        feed(node, [.census(live: live)], from: other, at: .seconds(0.66))
        let asked = requests(node, from: 0.66, to: 1.5)
        XCTAssertEqual(asked.map(\.to), [other])
        return try XCTUnwrap(asked.first?.at)
    }

    func testInABiggerMeshExchangesAreSpacedAsPushPullsAreScaled() throws {
        let node = try makeNode(config: Self.config)
        feed(node, (1...63).map { .alive(member("m\($0)", host: "10.2.0.\($0)")) })
        XCTAssertEqual(node.pushPullScale, 2, "64 members")
        XCTAssertEqual(try secondExchange(node, census: 70), 1.0, accuracy: 0.011, "two protocol periods (400 ms) after the first")
    }

    func testTheLargestCensusHeardNamesThePeerAsked() throws {
        let node = try nodeKnowingThree()
        feed(node, [.census(live: 4)], from: other, at: .seconds(0.5))
        feed(node, [.census(live: 6)], from: ahead, at: .seconds(0.51))
        feed(node, [.census(live: 5)], from: other, at: .seconds(0.52))
        XCTAssertEqual(requests(node, from: 0.52, to: 1.5).map(\.to), [ahead])
    }

    func testProbesAcksAndGossipCarryTheSendersCensus() throws {
        let node = try nodeKnowingThree()
        feed(node, [.suspect(id: NodeID(name: "a", uid: 1), incarnation: 0, suspecters: ["x"])], at: .seconds(0.1))
        var kinds: Set<String> = []
        for output in feed(node, [.ping(seq: 1, target: "self")], at: .seconds(0.1))
            + stride(from: 0.1, through: 1.0, by: 0.01).flatMap({ node.tick(now: .seconds($0)) }) {
            guard case let .datagram(bytes, _) = output else { continue }
            let messages = MessageDecoder.decode(bytes).messages
            guard messages.contains(.census(live: 3)) else { continue }
            for message in messages {
                switch message {
                case .ping: kinds.insert("ping")
                case .ack: kinds.insert("ack")
                case .suspect: kinds.insert("gossip")
                default: break
                }
            }
        }
        XCTAssertEqual(kinds, ["ping", "ack", "gossip"])
    }
}
