/// S3-FIFO (Yang et al., SOSP 2023), bounded in bytes: new entries go to a small FIFO (a tenth
/// of the bytes); one that was hit while there moves to the main FIFO, the others leave and
/// are remembered in the ghost queue, and a key that comes back from the ghost goes straight to
/// main. Main reinserts entries that were hit (up to 3 times) instead of evicting them.
/// Chosen over LRU by measurement (docs/cache.md, `cache-bench eviction`).
public struct S3FIFO: EvictionPolicy {
    private static let small = 0, main = 1
    private static let maxFrequency: UInt8 = 3

    private let smallTarget: Int
    private var lists = SlotLists(lists: 2)
    private var frequency: [UInt8] = []
    private var size: [Int] = []
    private var keyHash: [UInt64] = []
    private var smallBytes = 0
    private var mainCount = 0
    private var ghost = GhostQueue()

    public init(capacity: Int) {
        smallTarget = max(1, capacity / 10)
    }

    public mutating func inserted(_ slot: Int, size bytes: Int, keyHash hash: UInt64) {
        if slot >= size.count {
            let count = max(slot + 1, size.count * 2)
            frequency += repeatElement(0, count: count - frequency.count)
            size += repeatElement(0, count: count - size.count)
            keyHash += repeatElement(0, count: count - keyHash.count)
        }
        frequency[slot] = 0
        size[slot] = bytes
        keyHash[slot] = hash
        push(slot, on: ghost.remove(hash) ? Self.main : Self.small)
    }

    public mutating func accessed(_ slot: Int) {
        if frequency[slot] < Self.maxFrequency { frequency[slot] += 1 }
    }

    public mutating func removed(_ slot: Int) {
        unlink(slot)
    }

    public mutating func victim() -> Int? {
        while true {
            if smallBytes > smallTarget || lists.tail(of: Self.main) == nil {
                guard let slot = lists.tail(of: Self.small) else { return nil }
                unlink(slot)
                if frequency[slot] > 0 {
                    frequency[slot] = 0
                    push(slot, on: Self.main)
                } else {
                    ghost.insert(keyHash[slot], limit: mainCount)
                    return slot
                }
            } else {
                guard let slot = lists.tail(of: Self.main) else { return nil }
                unlink(slot)
                if frequency[slot] > 0 {
                    frequency[slot] -= 1
                    push(slot, on: Self.main)
                } else {
                    return slot
                }
            }
        }
    }

    private mutating func push(_ slot: Int, on list: Int) {
        lists.pushHead(slot, on: list)
        if list == Self.small {
            smallBytes += size[slot]
        } else {
            mainCount += 1
        }
    }

    private mutating func unlink(_ slot: Int) {
        switch lists.unlink(slot) {
        case Self.small: smallBytes -= size[slot]
        case Self.main: mainCount -= 1
        default: break
        }
    }
}
