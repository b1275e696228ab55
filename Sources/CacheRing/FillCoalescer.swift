/// Concurrent misses for one key share one fill (request coalescing): the first asker leads
/// and goes to the origin, the others wait for its outcome; past `maxWaiters`, an asker goes on
/// its own rather than pile up behind a slow origin.
public struct FillCoalescer<Waiter> {
    public enum Role: Sendable, Equatable {
        /// Fetch from the origin, then `finish` the key.
        case lead
        /// The leader's outcome comes through `finish`.
        case wait
        /// Too many waiting: fetch without coalescing.
        case alone
    }

    public let maxWaiters: Int
    private var waiting: [String: [Waiter]] = [:]

    public init(maxWaiters: Int = 1024) {
        self.maxWaiters = maxWaiters
    }

    /// Keys being fetched now.
    public var inFlight: Int { waiting.count }

    public mutating func join(_ key: String, _ waiter: Waiter) -> Role {
        guard let queued = waiting[key] else {
            waiting[key] = []
            return .lead
        }
        guard queued.count < maxWaiters else { return .alone }
        waiting[key, default: []].append(waiter)
        return .wait
    }

    /// The leader is done (stored, failed, or found the response not storable): the waiters to
    /// answer, in the order they came; the next miss of `key` leads a new fill.
    public mutating func finish(_ key: String) -> [Waiter] {
        waiting.removeValue(forKey: key) ?? []
    }
}
