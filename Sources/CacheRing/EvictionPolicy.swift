/// Chooses which stored entries leave when the store is over its byte bound. Entries are slot
/// numbers the store hands out; the policy sees inserts, hits and removals, and names victims.
public protocol EvictionPolicy {
    /// `slot` was stored with `size` bytes; `keyHash` identifies its key across evictions.
    mutating func inserted(_ slot: Int, size: Int, keyHash: UInt64)
    mutating func accessed(_ slot: Int)
    /// `slot` left the store other than as a victim (invalidated or replaced).
    mutating func removed(_ slot: Int)
    /// The next entry to evict, which the policy forgets; nil when it holds none.
    mutating func victim() -> Int?
}
