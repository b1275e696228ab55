import NIOConcurrencyHelpers

/// The token buckets of every rate limit on this node, shared by all event loops and
/// by every config snapshot.
///
/// Why a process-wide store: a hot swap builds new policy values, but a route whose
/// limit did not change must keep its buckets, or every reload would hand every
/// client a fresh burst. Buckets are keyed by route id, the limit's parameters and
/// the subject (consumer or client address), so an unchanged route finds its buckets
/// again and a changed limit starts clean.
///
/// Why sharded locks: a bucket must be exact across event loops (one client's
/// requests land on any loop), which rules out per-loop state; one lock would make
/// every loop queue on it. Keys hash to one of 64 shards, each a dictionary behind
/// its own lock held only for the arithmetic of one take.
///
/// Cleanup: a bucket that has refilled completely is indistinguishable from a new
/// one, so each shard, every 1024 takes, drops the buckets that are full by now.
/// Memory is bounded by the subjects seen within one refill period.
public final class TokenBucketStore: Sendable {
    public static let shared = TokenBucketStore()

    struct Key: Hashable, Sendable {
        let route: String
        let limit: String
        let subject: String
    }

    struct Bucket {
        var tokens: Double
        var updated: UInt64
        var fullAt: UInt64
    }

    struct Shard {
        var buckets: [Key: Bucket] = [:]
        var takesSinceSweep = 0

        mutating func dropFullBuckets(now: UInt64) {
            buckets = buckets.filter { $0.value.fullAt > now }
        }
    }

    public struct Outcome: Equatable, Sendable {
        public let allowed: Bool
        public let remaining: Int
        /// Until the next token, when refused.
        public let retryAfterNanoseconds: UInt64
        /// Until the bucket is full again.
        public let resetAfterNanoseconds: UInt64
    }

    static let shardCount = 64
    static let sweepEvery = 1024
    private let shards: [NIOLockedValueBox<Shard>]

    public init() {
        shards = (0..<Self.shardCount).map { _ in NIOLockedValueBox(Shard()) }
    }

    /// Takes one token from a bucket of `capacity` tokens that gains one token every
    /// `nanosecondsPerToken`.
    func take(_ key: Key, capacity: Double, nanosecondsPerToken: Double, now: UInt64) -> Outcome {
        let shard = shards[Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))]
        return shard.withLockedValue { shard in
            shard.takesSinceSweep += 1
            if shard.takesSinceSweep >= Self.sweepEvery {
                shard.takesSinceSweep = 0
                shard.dropFullBuckets(now: now)
            }
            var bucket = shard.buckets[key] ?? Bucket(tokens: capacity, updated: now, fullAt: now)
            let elapsed = now > bucket.updated ? Double(now - bucket.updated) : 0
            bucket.tokens = min(capacity, bucket.tokens + elapsed / nanosecondsPerToken)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed {
                bucket.tokens -= 1
            }
            let reset = UInt64(((capacity - bucket.tokens) * nanosecondsPerToken).rounded(.up))
            bucket.fullAt = now + reset
            shard.buckets[key] = bucket
            return Outcome(
                allowed: allowed,
                remaining: Int(bucket.tokens),
                retryAfterNanoseconds: allowed ? 0 : UInt64(((1 - bucket.tokens) * nanosecondsPerToken).rounded(.up)),
                resetAfterNanoseconds: reset
            )
        }
    }

    /// Drops, in every shard, the buckets that are full by `now`.
    func sweep(now: UInt64) {
        for shard in shards {
            shard.withLockedValue { $0.dropFullBuckets(now: now) }
        }
    }

    /// Buckets held now, over all shards.
    public var count: Int {
        shards.reduce(0) { total, shard in total + shard.withLockedValue { $0.buckets.count } }
    }
}
