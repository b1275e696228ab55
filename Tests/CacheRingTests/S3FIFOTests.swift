import XCTest

@testable import CacheRing

final class S3FIFOTests: XCTestCase {
    /// Replays inserts of unit-size keys into a policy of `capacity` units; answers the keys evicted.
    private struct Harness {
        var policy: S3FIFO
        let capacity: Int
        var slotOf: [String: Int] = [:]
        var keyOf: [Int: String] = [:]
        var evicted: [String] = []

        init(capacity: Int) {
            self.capacity = capacity
            policy = S3FIFO(capacity: capacity)
        }

        mutating func insert(_ key: String) {
            let slot = (0...).first { keyOf[$0] == nil }!
            slotOf[key] = slot
            keyOf[slot] = key
            policy.inserted(slot, size: 1, keyHash: StableHash.hash(key))
            while slotOf.count > capacity, let victim = policy.victim() {
                evicted.append(keyOf[victim]!)
                slotOf[keyOf[victim]!] = nil
                keyOf[victim] = nil
            }
        }

        mutating func hit(_ key: String) { policy.accessed(slotOf[key]!) }
    }

    func testOneHitEntriesLeaveFirstAndInInsertionOrder() {
        var h = Harness(capacity: 10)
        for i in 0..<15 { h.insert("k\(i)") }
        XCTAssertEqual(h.evicted, (0..<5).map { "k\($0)" })
    }

    func testAnEntryHitWhileNewMovesToMainAndOutlivesAScan() {
        var h = Harness(capacity: 10)
        h.insert("hot")
        h.hit("hot")
        for i in 0..<100 { h.insert("scan\(i)") }
        XCTAssertFalse(h.evicted.contains("hot"))
    }

    func testAKeyThatReturnsSoonAfterEvictionGoesStraightToMain() {
        var h = Harness(capacity: 10)
        h.insert("back")
        for i in 0..<10 { h.insert("a\(i)") }
        XCTAssertEqual(h.evicted.first, "back")
        h.insert("back")
        for i in 0..<50 { h.insert("b\(i)") }
        XCTAssertEqual(h.evicted.filter { $0 == "back" }.count, 1, "remembered by the ghost queue, it stays without a hit")
    }

    func testARemovedEntryGivesBackItsShareAndIsNeverAVictim() {
        var h = Harness(capacity: 4)
        for i in 0..<4 { h.insert("k\(i)") }
        h.policy.removed(h.slotOf["k0"]!)
        h.keyOf[h.slotOf["k0"]!] = nil
        h.slotOf["k0"] = nil
        h.insert("k4")
        XCTAssertEqual(h.evicted, [], "room was made by the removal")
        h.insert("k5")
        XCTAssertEqual(h.evicted, ["k1"])
    }
}
