/// How long a stored response is fresh, how old it was when it arrived, and what its
/// directives allow once it is stale (RFC 9111 §4.2, RFC 5861).
public struct Freshness: Sendable, Equatable {
    /// Seconds the response is fresh for, counted from its origin's `Date`.
    public var lifetime: Int
    /// The response's age when it arrived (RFC 9111 §4.2.3 `corrected_initial_age`).
    public var initialAge: Int
    /// When it arrived, on the caller's wall clock.
    public var responseTime: WallTime
    /// `no-cache`: validated with the origin before every reuse.
    public var revalidatesAlways: Bool
    /// `must-revalidate`, `proxy-revalidate` or `s-maxage`: never served stale, not even on errors.
    public var forbidsStale: Bool
    /// Seconds past its lifetime it may be served while it is revalidated in the background.
    public var staleWhileRevalidate: Int
    /// Seconds past its lifetime it may be served when the origin fails.
    public var staleIfError: Int

    public init(lifetime: Int, initialAge: Int, responseTime: WallTime, revalidatesAlways: Bool = false,
                forbidsStale: Bool = false, staleWhileRevalidate: Int = 0, staleIfError: Int = 0) {
        self.lifetime = lifetime
        self.initialAge = initialAge
        self.responseTime = responseTime
        self.revalidatesAlways = revalidatesAlways
        self.forbidsStale = forbidsStale
        self.staleWhileRevalidate = staleWhileRevalidate
        self.staleIfError = staleIfError
    }

    /// The age at `now` (`current_age`): its age on arrival plus the time it has been stored.
    public func age(at now: WallTime) -> Int {
        initialAge &+ max(0, now - responseTime)
    }

    /// Seconds past its lifetime at `now`; 0 or less while fresh.
    public func staleness(at now: WallTime) -> Int {
        age(at: now) &- lifetime
    }
}
