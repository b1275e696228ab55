import Foundation
import CacheRing
import Gossip

/// Hit rates of LRU and S3-FIFO on Zipf(0.99) requests over 100k keys of equal size, with the
/// cache holding 0.1% to 20% of the keys; 2M requests after 1M of warm-up, seeded.
enum EvictionBench {
    static func run() {
        let keys = 100_000
        let zipf = Zipf(count: keys, exponent: 0.99)
        var random = SplitMix64(seed: 0x2023_5F1F0)
        let requests = (0..<3_000_000).map { _ in zipf.sample(&random) }
        print("cache size (share of keys) | LRU hit rate | S3-FIFO hit rate")
        for share in [0.001, 0.01, 0.05, 0.1, 0.2] {
            let capacity = Int(Double(keys) * share)
            let lru = hitRate(requests, policy: LRU(), capacity: capacity)
            let s3 = hitRate(requests, policy: S3FIFO(capacity: capacity), capacity: capacity)
            print("\(fixed(share * 100, 1))% | \(fixed(lru * 100, 2))% | \(fixed(s3 * 100, 2))%")
        }
    }

    /// Replays `requests` against a cache of `capacity` unit-size entries: a miss stores the key.
    static func hitRate<P: EvictionPolicy>(_ requests: [Int], policy: P, capacity: Int) -> Double {
        var policy = policy
        var slotOf: [Int: Int] = [:]
        var keyOf: [Int] = []
        var freeSlots: [Int] = []
        var hits = 0, counted = 0
        for (index, key) in requests.enumerated() {
            let measured = index >= 1_000_000
            if measured { counted += 1 }
            if let slot = slotOf[key] {
                policy.accessed(slot)
                if measured { hits += 1 }
                continue
            }
            let slot = freeSlots.popLast() ?? keyOf.count
            if slot == keyOf.count { keyOf.append(key) } else { keyOf[slot] = key }
            slotOf[key] = slot
            policy.inserted(slot, size: 1, keyHash: UInt64(key))
            while slotOf.count > capacity, let victim = policy.victim() {
                slotOf[keyOf[victim]] = nil
                freeSlots.append(victim)
            }
        }
        return Double(hits) / Double(counted)
    }
}

/// Least recently used: a hit moves the entry to the head, the tail is the victim.
struct LRU: EvictionPolicy {
    private var next: [Int] = [], previous: [Int] = []
    private var head = -1, tail = -1

    mutating func inserted(_ slot: Int, size: Int, keyHash: UInt64) {
        while next.count <= slot {
            next.append(-1)
            previous.append(-1)
        }
        pushHead(slot)
    }

    mutating func accessed(_ slot: Int) {
        unlink(slot)
        pushHead(slot)
    }

    mutating func removed(_ slot: Int) { unlink(slot) }

    mutating func victim() -> Int? {
        guard tail >= 0 else { return nil }
        let slot = tail
        unlink(slot)
        return slot
    }

    private mutating func pushHead(_ slot: Int) {
        next[slot] = head
        previous[slot] = -1
        if head >= 0 { previous[head] = slot } else { tail = slot }
        head = slot
    }

    private mutating func unlink(_ slot: Int) {
        if previous[slot] >= 0 { next[previous[slot]] = next[slot] } else { head = next[slot] }
        if next[slot] >= 0 { previous[next[slot]] = previous[slot] } else { tail = previous[slot] }
    }
}

/// Ranks 0..<count with P(k) ∝ 1/(k+1)^exponent, by inverting the cumulative distribution.
struct Zipf {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var total = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(count)
        for rank in 1...count {
            total += 1 / pow(Double(rank), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    func sample(_ random: inout SplitMix64) -> Int {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
