/// A hash index from a key (a member's name or address) to a slot of the member table:
/// open addressing with linear probing over 4-byte slot numbers, the keys themselves
/// staying in the table. About 8 bytes per member where a `[String: Int]` takes 40 or more.
/// The caller hashes keys and says whether a slot holds a given key.
struct SlotIndex {
    private static let empty: Int32 = -1
    private var buckets: [Int32] = Array(repeating: SlotIndex.empty, count: 16)
    private(set) var count = 0

    private var mask: Int { buckets.count - 1 }

    /// The slot whose key hashes to `hash` and `matches`.
    func find(hash: Int, matches: (Int) -> Bool) -> Int? {
        var bucket = hash & mask
        while true {
            let slot = buckets[bucket]
            if slot == SlotIndex.empty { return nil }
            if matches(Int(slot)) { return Int(slot) }
            bucket = (bucket + 1) & mask
        }
    }

    /// Points the key (its `hash`, and `matches`) at `slot`, replacing the slot it pointed at.
    /// `hashOf` gives the hash of the key held in any indexed slot, for growing.
    mutating func set(_ slot: Int, hash: Int, matches: (Int) -> Bool, hashOf: (Int) -> Int) {
        var bucket = hash & mask
        while buckets[bucket] != SlotIndex.empty {
            if matches(Int(buckets[bucket])) {
                buckets[bucket] = Int32(slot)
                return
            }
            bucket = (bucket + 1) & mask
        }
        buckets[bucket] = Int32(slot)
        count += 1
        if count * 4 > buckets.count * 3 { grow(hashOf: hashOf) }
    }

    /// Removes the entry that points at `slot`, if the key (its `hash`) points there.
    mutating func remove(_ slot: Int, hash: Int, hashOf: (Int) -> Int) {
        var hole = hash & mask
        while buckets[hole] != Int32(slot) {
            if buckets[hole] == SlotIndex.empty { return }
            hole = (hole + 1) & mask
        }
        // Backward-shift deletion: move later entries of the probe run into the hole when
        // their home bucket is not between the hole and where they sit.
        var next = hole
        while true {
            next = (next + 1) & mask
            let moving = buckets[next]
            if moving == SlotIndex.empty { break }
            let home = hashOf(Int(moving)) & mask
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !stays {
                buckets[hole] = moving
                hole = next
            }
        }
        buckets[hole] = SlotIndex.empty
        count -= 1
    }

    /// The entry that points at `old` now points at `new` (a record moved in the table).
    mutating func repoint(_ old: Int, to new: Int, hash: Int) {
        var bucket = hash & mask
        while buckets[bucket] != SlotIndex.empty {
            if buckets[bucket] == Int32(old) {
                buckets[bucket] = Int32(new)
                return
            }
            bucket = (bucket + 1) & mask
        }
    }

    private mutating func grow(hashOf: (Int) -> Int) {
        let old = buckets
        buckets = Array(repeating: SlotIndex.empty, count: old.count * 2)
        for slot in old where slot != SlotIndex.empty {
            var bucket = hashOf(Int(slot)) & mask
            while buckets[bucket] != SlotIndex.empty { bucket = (bucket + 1) & mask }
            buckets[bucket] = slot
        }
    }
}
