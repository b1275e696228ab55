/// A hash index from a key (a member's name or address) to a slot of the member table:
/// open addressing with linear probing over 4-byte entries, the keys themselves staying
/// in the table. About 8 bytes per member where a `[String: Int]` takes 40 or more.
/// The caller hashes keys and says whether a slot holds a given key.
///
/// An entry holds the slot in its low `slotBits` bits and, above them, a tag: the top
/// bits of the key's hash. A probe compares the tag before it asks whether the slot holds
/// the key, so it reaches into the table (a cache miss in a large mesh, two with the
/// member's shared profile) only for the entry that matches, not for the others of its
/// run: with 11 tag bits, one in 2,048 of them. A slot too large for `slotBits` widens
/// the field, and the tags narrow, for every entry.
struct SlotIndex {
    private static let empty: Int32 = -1
    private var buckets: [Int32] = Array(repeating: SlotIndex.empty, count: 16)
    private(set) var count = 0
    /// Bits of an entry that hold the slot; the rest of its 31 hold the tag.
    private var slotBits = 20

    private var mask: Int { buckets.count - 1 }
    private var slotMask: Int32 { Int32(truncatingIfNeeded: (1 << slotBits) - 1) }

    /// The tag of a key with this hash, placed above the slot bits.
    private func tag(_ hash: Int) -> Int32 {
        let tagBits = 31 - slotBits
        guard tagBits > 0 else { return 0 }
        return Int32(truncatingIfNeeded: UInt(bitPattern: hash) >> (UInt.bitWidth - tagBits)) << slotBits
    }

    private func entry(_ slot: Int, hash: Int) -> Int32 { tag(hash) | Int32(slot) }

    /// The slot whose key hashes to `hash` and `matches`.
    func find(hash: Int, matches: (Int) -> Bool) -> Int? {
        let tag = tag(hash)
        let slotMask = slotMask
        var bucket = hash & mask
        while true {
            let entry = buckets[bucket]
            if entry == SlotIndex.empty { return nil }
            if entry & ~slotMask == tag, matches(Int(entry & slotMask)) { return Int(entry & slotMask) }
            bucket = (bucket + 1) & mask
        }
    }

    /// Points the key (its `hash`, and `matches`) at `slot`, replacing the slot it pointed at.
    /// `hashOf` gives the hash of the key held in any indexed slot, for growing.
    mutating func set(_ slot: Int, hash: Int, matches: (Int) -> Bool, hashOf: (Int) -> Int) {
        precondition(slot >= 0 && slot <= Int(Int32.max), "slot out of range")
        if slot > Int(slotMask) {
            let oldSlotMask = slotMask
            while slot > Int(slotMask) { slotBits += 1 }
            rebuild(capacity: buckets.count, oldSlotMask: oldSlotMask, hashOf: hashOf)
        }
        let tag = tag(hash)
        let slotMask = slotMask
        var bucket = hash & mask
        while buckets[bucket] != SlotIndex.empty {
            let entry = buckets[bucket]
            if entry & ~slotMask == tag, matches(Int(entry & slotMask)) {
                buckets[bucket] = tag | Int32(slot)
                return
            }
            bucket = (bucket + 1) & mask
        }
        buckets[bucket] = tag | Int32(slot)
        count += 1
        if count * 4 > buckets.count * 3 { rebuild(capacity: buckets.count * 2, oldSlotMask: slotMask, hashOf: hashOf) }
    }

    /// Removes the entry that points at `slot`, if the key (its `hash`) points there.
    mutating func remove(_ slot: Int, hash: Int, hashOf: (Int) -> Int) {
        guard var hole = bucket(holding: slot, hash: hash) else { return }
        let slotMask = slotMask
        // Backward-shift deletion: move later entries of the probe run into the hole when
        // their home bucket is not between the hole and where they sit.
        var next = hole
        while true {
            next = (next + 1) & mask
            let moving = buckets[next]
            if moving == SlotIndex.empty { break }
            let home = hashOf(Int(moving & slotMask)) & mask
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !stays {
                buckets[hole] = moving
                hole = next
            }
        }
        buckets[hole] = SlotIndex.empty
        count -= 1
    }

    /// The entry that points at `old` now points at `new` (a record moved in the table, to
    /// a lower slot, which the slot field holds already).
    mutating func repoint(_ old: Int, to new: Int, hash: Int) {
        guard let bucket = bucket(holding: old, hash: hash) else { return }
        buckets[bucket] = buckets[bucket] & ~slotMask | Int32(new)
    }

    /// The bucket of the entry for `slot`, whose key hashes to `hash`.
    private func bucket(holding slot: Int, hash: Int) -> Int? {
        let wanted = entry(slot, hash: hash)
        var bucket = hash & mask
        while buckets[bucket] != SlotIndex.empty {
            if buckets[bucket] == wanted { return bucket }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    /// Re-enters every entry, whose slot field was `oldSlotMask`, into `capacity` buckets
    /// with the tags of the current `slotBits`.
    private mutating func rebuild(capacity: Int, oldSlotMask: Int32, hashOf: (Int) -> Int) {
        let old = buckets
        buckets = Array(repeating: SlotIndex.empty, count: capacity)
        for entry in old where entry != SlotIndex.empty {
            let slot = Int(entry & oldSlotMask)
            let hash = hashOf(slot)
            var bucket = hash & mask
            while buckets[bucket] != SlotIndex.empty { bucket = (bucket + 1) & mask }
            buckets[bucket] = self.entry(slot, hash: hash)
        }
    }
}
