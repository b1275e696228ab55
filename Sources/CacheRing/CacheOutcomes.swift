/// What the cache did for one route's requests at one gateway since it started, as
/// `meshgate_cache_requests_total{route,result}` counts them. A request answered from the cache
/// counts once as a hit or a stale serve; one sent to the origin as a miss, a revalidation
/// (a stored entry validated, the origin answering 304) or a bypass (a method the rule does
/// not cache). `nearHits` are among the `hits`; `coalesced` requests waited for another's fill
/// and count besides by how they were then answered.
public struct CacheOutcomes: Equatable, Sendable {
    /// Fresh stored responses served, near-cache copies included.
    public var hits = 0
    /// Hits served from this node's near-cache: copies of entries other nodes own.
    public var nearHits = 0
    public var misses = 0
    /// Stale responses served: within `stale-while-revalidate`, a client's `max-stale`, or
    /// `stale-if-error` in place of the origin's failure.
    public var staleServed = 0
    public var revalidated = 0
    public var bypass = 0
    public var coalesced = 0

    public init(hits: Int = 0, nearHits: Int = 0, misses: Int = 0, staleServed: Int = 0, revalidated: Int = 0,
                bypass: Int = 0, coalesced: Int = 0) {
        (self.hits, self.nearHits, self.misses, self.staleServed) = (hits, nearHits, misses, staleServed)
        (self.revalidated, self.bypass, self.coalesced) = (revalidated, bypass, coalesced)
    }

    /// Requests answered without going to the origin: hits and stale serves. (A background
    /// validation after a stale serve still asks the origin, once, however many stale
    /// answers went out.)
    public var upstreamFetchesSaved: Int { hits + staleServed }

    /// The counts of every route together.
    public static func total<Routes: Sequence>(_ routes: Routes) -> CacheOutcomes where Routes.Element == CacheOutcomes {
        routes.reduce(into: CacheOutcomes()) { sum, route in
            sum.hits += route.hits
            sum.nearHits += route.nearHits
            sum.misses += route.misses
            sum.staleServed += route.staleServed
            sum.revalidated += route.revalidated
            sum.bypass += route.bypass
            sum.coalesced += route.coalesced
        }
    }
}
