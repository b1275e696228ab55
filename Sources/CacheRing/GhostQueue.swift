/// Key hashes of recently evicted entries: S3-FIFO's ghost queue, which tells a returning key
/// from a new one. Kept as two generations of sets, so it remembers the last `limit` to
/// `2 × limit` evictions with O(1) work and no per-entry list.
struct GhostQueue {
    private var current: Set<UInt64> = []
    private var previous: Set<UInt64> = []

    mutating func insert(_ hash: UInt64, limit: Int) {
        if current.count >= max(1, limit) {
            previous = current
            current.removeAll(keepingCapacity: true)
        }
        current.insert(hash)
    }

    /// Whether `hash` was remembered; it is forgotten.
    mutating func remove(_ hash: UInt64) -> Bool {
        current.remove(hash) != nil || previous.remove(hash) != nil
    }
}
