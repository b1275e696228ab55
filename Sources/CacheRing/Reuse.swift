/// What a shared cache may do with a stored response for a request (RFC 9111 §4, §4.2.4,
/// §5.2.1; RFC 5861).
public enum Reuse: Sendable, Equatable {
    /// Serve it as is.
    case fresh
    /// Serve it, and revalidate it in the background (`stale-while-revalidate`, or a client's
    /// `max-stale`, which needs no background work: `revalidate` is false then).
    case stale(revalidate: Bool)
    /// Ask the origin first (with the stored validators, when it has any).
    case validate

    public static func decide(_ freshness: Freshness, request: FieldList, now: WallTime) -> Reuse {
        let directives = CacheControl(request)
        let pragmaNoCache = !request.contains("cache-control")
            && request.listMembers("pragma").contains { $0.lowercased() == "no-cache" }
        if freshness.revalidatesAlways || directives.noCache || pragmaNoCache { return .validate }
        let age = freshness.age(at: now)
        if let maxAge = directives.maxAge, age > maxAge { return .validate }
        if let minFresh = directives.minFresh, freshness.lifetime &- age < minFresh { return .validate }
        let staleness = age &- freshness.lifetime
        if staleness < 0 { return .fresh }
        if freshness.forbidsStale { return .validate }
        if let maxStale = directives.maxStale, staleness <= maxStale { return .stale(revalidate: false) }
        if staleness < freshness.staleWhileRevalidate { return .stale(revalidate: true) }
        return .validate
    }

    /// Whether a stale response may be served because the origin failed (RFC 5861 §4): within
    /// the response's `stale-if-error` window, or the request's, and never when it forbids stale.
    public static func servesOnError(_ freshness: Freshness, request: FieldList, now: WallTime) -> Bool {
        guard !freshness.forbidsStale else { return false }
        let window = max(freshness.staleIfError, CacheControl(request).staleIfError ?? 0)
        return freshness.staleness(at: now) < window
    }
}
