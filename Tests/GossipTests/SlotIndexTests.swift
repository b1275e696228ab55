import XCTest
@testable import Gossip

final class SlotIndexTests: XCTestCase {
    /// A small index: keys are slot numbers' names, kept in `keys[slot]`, hashed by `hash`.
    private struct Model {
        var index = SlotIndex()
        var keys: [Int: String] = [:]
        let hash: (String) -> Int

        func find(_ key: String) -> Int? { index.find(hash: hash(key)) { keys[$0] == key } }

        mutating func set(_ key: String, slot: Int) {
            keys[slot] = key
            let keys = keys, hash = hash
            index.set(slot, hash: hash(key), matches: { keys[$0] == key }, hashOf: { hash(keys[$0]!) })
        }

        mutating func remove(slot: Int) {
            let keys = keys, hash = hash
            index.remove(slot, hash: hash(keys[slot]!), hashOf: { hash(keys[$0]!) })
            self.keys[slot] = nil
        }
    }

    /// Hashes that share their low bits (one probe run) and, for keys of the same parity,
    /// their top bits (the tag): lookups, removals and moves still find exactly the right
    /// slot, so an equal tag is never taken for an equal key.
    func testKeysWhoseHashesShareBucketAndTagAreToldApart() {
        var model = Model(hash: { key in
            let n = Int(key.dropFirst())!
            return (n % 2) << 62 | (n & 0xF) << 32
        })
        var random = SplitMix64(seed: 3)
        var expected: [String: Int] = [:]
        var nextSlot = 0
        for _ in 0..<4_000 {
            let key = "k\(Int.random(in: 0..<200, using: &random))"
            if let slot = expected[key] {
                XCTAssertEqual(model.find(key), slot)
                model.remove(slot: slot)
                expected[key] = nil
            } else {
                model.set(key, slot: nextSlot)
                expected[key] = nextSlot
                nextSlot += 1
            }
        }
        for (key, slot) in expected { XCTAssertEqual(model.find(key), slot, key) }
        XCTAssertEqual(model.index.count, expected.count)
        XCTAssertNil(model.find("k999"))
    }

    /// A slot beyond the slot field widens it: the entries made before keep their slots.
    func testASlotBeyondTheSlotFieldWidensItForEveryEntry() {
        var model = Model(hash: { $0.hashValue })
        for slot in 0..<100 { model.set("k\(slot)", slot: slot) }
        for slot in [1 << 20, 1 << 24, Int(Int32.max)] { model.set("k\(slot)", slot: slot) }
        for slot in Array(0..<100) + [1 << 20, 1 << 24, Int(Int32.max)] {
            XCTAssertEqual(model.find("k\(slot)"), slot)
        }
        model.index.repoint(1 << 24, to: 100, hash: "k\(1 << 24)".hashValue)
        model.keys[100] = model.keys.removeValue(forKey: 1 << 24)
        XCTAssertEqual(model.find("k\(1 << 24)"), 100)
    }
}
