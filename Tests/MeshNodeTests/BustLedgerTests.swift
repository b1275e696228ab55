import CacheRing
import XCTest

@testable import MeshNode

/// Applying each bust once, the vector a catch-up carries, and what a node that missed busts
/// can get back from a peer's log.
final class BustLedgerTests: XCTestCase {
    func bust(_ origin: String, _ sequence: UInt64, _ invalidation: Invalidation = .all) -> CacheBust {
        CacheBust(environment: "prod", id: BustID(origin: origin, sequence: sequence), invalidation: invalidation)
    }

    func testEachBustIsAdmittedOnceInAnyOrder() {
        var ledger = BustLedger()
        XCTAssertEqual(ledger.nextSequence(origin: "a"), 1)
        XCTAssertTrue(ledger.admit(bust("a", 1)))
        XCTAssertFalse(ledger.admit(bust("a", 1)))
        XCTAssertTrue(ledger.admit(bust("a", 3)))
        XCTAssertEqual(ledger.heads, ["a": 1], "3 sits above the gap at 2")
        XCTAssertEqual(ledger.nextSequence(origin: "a"), 4)
        XCTAssertTrue(ledger.hasApplied(BustID(origin: "a", sequence: 3)))
        XCTAssertFalse(ledger.hasApplied(BustID(origin: "a", sequence: 2)))
        XCTAssertTrue(ledger.admit(bust("a", 2)))
        XCTAssertEqual(ledger.heads, ["a": 3], "the gap filled")
        XCTAssertFalse(ledger.admit(bust("a", 3)))
        XCTAssertTrue(ledger.admit(bust("b", 2)))
        XCTAssertEqual(ledger.heads, ["a": 3], "an origin with only a gap has no head yet")
        XCTAssertEqual(ledger.applied, 4)
    }

    func testAPeerGetsWhatItMissedFromTheLog() {
        var ahead = BustLedger()
        var behind = BustLedger()
        for sequence: UInt64 in 1...5 { XCTAssertTrue(ahead.admit(bust("a", sequence, .tag("t\(sequence)")))) }
        XCTAssertTrue(ahead.admit(bust("b", 1)))
        for sequence: UInt64 in 1...2 { XCTAssertTrue(behind.admit(bust("a", sequence, .tag("t\(sequence)")))) }

        let missing = ahead.missing(for: behind.heads)
        XCTAssertEqual(missing.map(\.id.description), ["a/3", "a/4", "a/5", "b/1"])
        XCTAssertTrue(ahead.isAhead(of: behind.heads))
        XCTAssertEqual(behind.behind(ahead.heads), ["a", "b"])
        for bust in missing { XCTAssertTrue(behind.admit(bust)) }
        XCTAssertEqual(behind.heads, ahead.heads)
        XCTAssertEqual(behind.behind(ahead.heads), [])
        XCTAssertFalse(ahead.isAhead(of: behind.heads))
    }

    func testBustsTheLogDroppedCannotBeReplayed() {
        var ahead = BustLedger(capacity: 3)
        for sequence: UInt64 in 1...6 { XCTAssertTrue(ahead.admit(bust("a", sequence))) }
        XCTAssertEqual(ahead.recent.map(\.id.sequence), [4, 5, 6])
        var behind = BustLedger()
        XCTAssertTrue(behind.admit(bust("a", 1)))
        for bust in ahead.missing(for: behind.heads) { XCTAssertTrue(behind.admit(bust)) }
        XCTAssertEqual(behind.heads, ["a": 1], "2 and 3 are gone from every log")
        XCTAssertEqual(behind.behind(ahead.heads), ["a"], "so the node must bust everything")
        behind.adopt(ahead.heads)
        XCTAssertEqual(behind.heads, ["a": 6])
        XCTAssertFalse(behind.admit(bust("a", 5)), "what it adopted counts as applied")
        XCTAssertEqual(behind.nextSequence(origin: "a"), 7)
    }

    func testAdoptingKeepsWhatLiesAboveThePeersHead() {
        var ledger = BustLedger()
        XCTAssertTrue(ledger.admit(bust("a", 5)))
        XCTAssertTrue(ledger.admit(bust("a", 7)))
        ledger.adopt(["a": 4])
        XCTAssertEqual(ledger.heads, ["a": 5], "4 adopted, 5 was applied, 6 still missing")
        XCTAssertTrue(ledger.hasApplied(BustID(origin: "a", sequence: 7)))
        XCTAssertFalse(ledger.hasApplied(BustID(origin: "a", sequence: 6)))
    }

    func testTheLogAndTheOriginsStayBounded() {
        var ledger = BustLedger(capacity: 10, maxOrigins: 4)
        for origin in 0..<20 {
            for sequence in 1...50 { XCTAssertTrue(ledger.admit(bust("o\(origin)", UInt64(sequence)))) }
        }
        XCTAssertEqual(ledger.recent.count, 10)
        XCTAssertEqual(ledger.heads.count, 4)
        XCTAssertEqual(Set(ledger.heads.keys), ["o16", "o17", "o18", "o19"], "the origins that advanced last are kept")
        XCTAssertEqual(ledger.applied, 1000)
    }
}
