import XCTest
@testable import Gossip

final class BroadcastQueueTests: XCTestCase {
    func testRetransmitLimitIsLambdaTimesCeilLog10OfNPlusOne() {
        XCTAssertEqual(BroadcastQueue.retransmitLimit(multiplier: 4, clusterSize: 0), 4)
        XCTAssertEqual(BroadcastQueue.retransmitLimit(multiplier: 4, clusterSize: 9), 4)
        XCTAssertEqual(BroadcastQueue.retransmitLimit(multiplier: 4, clusterSize: 10), 8)
        XCTAssertEqual(BroadcastQueue.retransmitLimit(multiplier: 4, clusterSize: 999), 12)
        XCTAssertEqual(BroadcastQueue.retransmitLimit(multiplier: 4, clusterSize: 1000), 16)
        XCTAssertEqual(BroadcastQueue.retransmitLimit(multiplier: 3, clusterSize: 10_000), 15)
    }

    func testAnUpdateLeavesTheQueueAfterItsTransmitLimit() {
        var queue = BroadcastQueue()
        queue.enqueue(.member("a"), bytes: [1, 2, 3])
        for sent in 1...3 {
            var packet: [UInt8] = []
            XCTAssertEqual(queue.fill(&packet, budget: 100, limit: 3), 1)
            XCTAssertEqual(queue.transmits(of: .member("a")), sent == 3 ? nil : sent)
        }
        var packet: [UInt8] = []
        XCTAssertEqual(queue.fill(&packet, budget: 100, limit: 3), 0)
        XCTAssertTrue(queue.isEmpty)
    }

    func testQueuedBytesFollowEnqueuesReplacementsAndRetirements() {
        var queue = BroadcastQueue()
        queue.enqueue(.member("a"), bytes: [1, 2, 3])
        queue.enqueue(.member("b"), bytes: [4, 5])
        XCTAssertEqual(queue.queuedBytes, 5)
        queue.enqueue(.member("a"), bytes: [6])
        XCTAssertEqual(queue.queuedBytes, 3)
        var packet: [UInt8] = []
        queue.fill(&packet, budget: 100, limit: 1)
        XCTAssertEqual(queue.queuedBytes, 0)
    }

    func testCopiesHeardCountAsSendsOfPlainNewsOnlyPastTheBacklog() {
        var queue = BroadcastQueue()
        queue.enqueue(.member("plain"), bytes: [1, 2])
        queue.enqueue(.member("urgent"), bytes: [3, 4], priority: .urgent)
        queue.heardCopy(of: .member("plain"), limit: 3, backlog: 4)
        XCTAssertEqual(queue.transmits(of: .member("plain")), 0, "4 bytes queued: within the backlog")
        queue.enqueue(.member("more"), bytes: [5])
        queue.heardCopy(of: .member("plain"), limit: 3, backlog: 4)
        queue.heardCopy(of: .member("urgent"), limit: 3, backlog: 4)
        XCTAssertEqual(queue.transmits(of: .member("plain")), 1)
        XCTAssertEqual(queue.transmits(of: .member("urgent")), 0)
        queue.heardCopy(of: .member("plain"), limit: 3, backlog: 4)
        queue.heardCopy(of: .member("plain"), limit: 3, backlog: 4)
        XCTAssertNil(queue.transmits(of: .member("plain")), "retired at the limit")
    }

    func testNewerUpdateReplacesTheQueuedOneForTheSameSubject() {
        var queue = BroadcastQueue()
        queue.enqueue(.member("a"), bytes: [1])
        var packet: [UInt8] = []
        queue.fill(&packet, budget: 100, limit: 5)
        queue.enqueue(.member("a"), bytes: [2])
        queue.enqueue(.rumor("a"), bytes: [3])
        XCTAssertEqual(queue.count, 2, "a rumor subject and a member name never collide")
        XCTAssertEqual(queue.transmits(of: .member("a")), 0, "the replacement starts from zero transmissions")
        packet = []
        queue.fill(&packet, budget: 100, limit: 5)
        XCTAssertEqual(packet.sorted(), [2, 3])
    }

    func testFewestSentGoFirstAndPacketsStayWithinBudget() {
        var queue = BroadcastQueue()
        for i in 0..<50 { queue.enqueue(.rumor("r\(i)"), bytes: [UInt8](repeating: UInt8(i), count: 30)) }
        var seen: [UInt8: Int] = [:]
        for _ in 0..<20 {
            var packet: [UInt8] = [1]
            queue.fill(&packet, budget: 200, limit: 100)
            XCTAssertLessThanOrEqual(packet.count, 200)
            XCTAssertEqual(packet.count, 1 + 6 * 30)
            for chunk in stride(from: 1, to: packet.count, by: 30) { seen[packet[chunk], default: 0] += 1 }
        }
        // 20 packets × 6 items spread over 50 items: least-sent first keeps counts within one of each other.
        let counts = (0..<50).map { seen[UInt8($0), default: 0] }
        XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1)
    }

    func testItemsTooLargeForTheRemainingSpaceAreSkippedNotSplit() {
        var queue = BroadcastQueue()
        queue.enqueue(.rumor("big"), bytes: [UInt8](repeating: 9, count: 150))
        queue.enqueue(.rumor("small"), bytes: [1, 1])
        var packet = [UInt8](repeating: 0, count: 100)
        XCTAssertEqual(queue.fill(&packet, budget: 200, limit: 5), 1)
        XCTAssertEqual(packet.count, 102)
    }

    /// Replacements and departures leave old bytes behind in the shared buffer; after it is
    /// compacted every queued item still carries exactly its latest bytes.
    func testAFullQueueDropsThePlainUpdateSentMostOften() {
        var queue = BroadcastQueue(depthLimit: 3)
        func send() {
            var packet: [UInt8] = []
            queue.fill(&packet, budget: 2, limit: 10)
        }
        queue.enqueue(.member("a"), bytes: [1, 1])
        send()
        send()
        queue.enqueue(.member("b"), bytes: [2, 2])
        send()
        XCTAssertEqual(queue.transmits(of: .member("a")), 2)
        XCTAssertEqual(queue.transmits(of: .member("b")), 1)
        queue.enqueue(.member("suspect"), bytes: [3, 3], priority: .urgent)
        queue.enqueue(.member("c"), bytes: [4, 4])
        XCTAssertEqual(queue.count, 3)
        XCTAssertNotNil(queue.transmits(of: .member("b")))
        XCTAssertNil(queue.transmits(of: .member("a")), "the plain update sent most often goes")
        XCTAssertEqual(queue.transmits(of: .member("suspect")), 0)
        XCTAssertEqual(queue.transmits(of: .member("c")), 0)
        queue.enqueue(.member("d"), bytes: [5, 5])
        XCTAssertNil(queue.transmits(of: .member("b")))
        XCTAssertEqual(queue.transmits(of: .member("suspect")), 0, "urgent news stays while plain news can go")
    }

    func testRefutationsGoFirstThenUrgentNewsThenPlainNews() {
        var queue = BroadcastQueue()
        let refutation = [UInt8](repeating: 1, count: 10), suspicion = [UInt8](repeating: 2, count: 10)
        let join = [UInt8](repeating: 3, count: 10)
        queue.enqueue(.member("refuted"), bytes: refutation, priority: .refutation)
        var packet: [UInt8] = []
        queue.fill(&packet, budget: 10, limit: 10)
        queue.enqueue(.member("joined"), bytes: join)
        queue.enqueue(.member("suspect"), bytes: suspicion, priority: .urgent)
        packet = []
        queue.fill(&packet, budget: 10, limit: 10)
        XCTAssertEqual(packet, refutation, "a refutation sent once goes before a suspicion sent never")
        packet = []
        queue.fill(&packet, budget: 100, limit: 10)
        XCTAssertEqual(packet, refutation + suspicion + join)
    }

    func testQueuedBytesSurviveReplacementsAndCompaction() {
        var queue = BroadcastQueue()
        var latest: [Int: [UInt8]] = [:]
        for round in 0..<40 {
            for subject in 0..<100 where subject % 3 != 0 || round == 0 {
                let bytes = [UInt8](repeating: UInt8((subject + round) & 255), count: 20 + subject % 7)
                queue.enqueue(.member("m\(subject)"), bytes: bytes)
                latest[subject] = bytes
            }
            var packet: [UInt8] = []
            queue.fill(&packet, budget: 64, limit: 1_000)
        }
        var seen: [[UInt8]] = []
        for _ in 0..<200 {
            var packet: [UInt8] = []
            guard queue.fill(&packet, budget: 26, limit: 1_000) == 1 else { break }
            seen.append(packet)
        }
        XCTAssertEqual(Set(seen), Set(latest.values))
    }
}
