import CacheRing
import Metrics

/// A route's metric handles, registered on its first answered request; kept across config
/// swaps by route id.
typealias RouteMetricsSlot = LazyMetrics<RouteMetrics>

/// Metric handles of one route, reused by every request.
final class RouteMetrics: Sendable {
    private let byStatusClass: [Counter]
    let latency: Timer
    let rateLimited: Counter
    private let cacheHandles: LazyMetrics<RouteCacheMetrics>

    /// Registered on the route's first request through the cache.
    var cache: RouteCacheMetrics { cacheHandles.handles }

    /// Nil until the route's first request through the cache.
    var registeredCache: RouteCacheMetrics? { cacheHandles.registered }

    init(route: String, factory: any MetricsFactory) {
        cacheHandles = LazyMetrics { RouteCacheMetrics(route: route, factory: factory) }
        let dimensions = [("route", route)]
        byStatusClass = (1...5).map { klass in
            Counter(label: "meshgate_gateway_requests_total", dimensions: dimensions + [("status", "\(klass)xx")], factory: factory)
        }
        latency = Timer(label: "meshgate_gateway_request_duration_seconds", dimensions: dimensions, factory: factory)
        rateLimited = Counter(label: "meshgate_gateway_rate_limited_total", dimensions: dimensions, factory: factory)
    }

    /// One request answered: `rateLimited` when the route's rate limit refused it (an
    /// upstream's own 429 is only counted by its status class).
    func record(status: Int, nanoseconds: Int64, rateLimited limited: Bool) {
        byStatusClass[statusClass(status)].increment()
        latency.recordNanoseconds(nanoseconds)
        if limited { rateLimited.increment() }
    }
}

/// What the cache did for one route's requests: `meshgate_cache_requests_total{route,result}`,
/// `meshgate_cache_route_near_hits_total{route}` and `meshgate_cache_coalesced_total{route}`,
/// each with the running total the cache stats read.
final class RouteCacheMetrics: Sendable {
    let hits: TalliedCounter
    let nearHits: TalliedCounter
    let misses: TalliedCounter
    let staleServed: TalliedCounter
    let revalidated: TalliedCounter
    let coalesced: TalliedCounter
    let bypass: TalliedCounter

    init(route: String, factory: any MetricsFactory) {
        func counter(_ label: String, _ dimensions: [(String, String)] = []) -> TalliedCounter {
            TalliedCounter(Counter(label: label, dimensions: [("route", route)] + dimensions, factory: factory))
        }
        func result(_ name: String) -> TalliedCounter { counter("meshgate_cache_requests_total", [("result", name)]) }
        hits = result("hit")
        misses = result("miss")
        staleServed = result("stale")
        revalidated = result("revalidated")
        bypass = result("bypass")
        nearHits = counter("meshgate_cache_route_near_hits_total")
        coalesced = counter("meshgate_cache_coalesced_total")
    }

    var outcomes: CacheOutcomes {
        CacheOutcomes(hits: hits.total, nearHits: nearHits.total, misses: misses.total, staleServed: staleServed.total,
                      revalidated: revalidated.total, bypass: bypass.total, coalesced: coalesced.total)
    }
}

/// Metric handles of one upstream.
final class UpstreamMetrics: Sendable {
    private let byStatusClass: [Counter]
    /// From sending a request to the end of its response.
    let latency: Timer
    let errors: Counter
    let retries: Counter
    let ejections: Counter

    init(upstream: String, factory: any MetricsFactory) {
        let dimensions = [("upstream", upstream)]
        byStatusClass = (1...5).map { klass in
            Counter(label: "meshgate_upstream_responses_total", dimensions: dimensions + [("status", "\(klass)xx")], factory: factory)
        }
        latency = Timer(label: "meshgate_upstream_response_duration_seconds", dimensions: dimensions, factory: factory)
        errors = Counter(label: "meshgate_upstream_errors_total", dimensions: dimensions, factory: factory)
        retries = Counter(label: "meshgate_upstream_retries_total", dimensions: dimensions, factory: factory)
        ejections = Counter(label: "meshgate_upstream_ejections_total", dimensions: dimensions, factory: factory)
    }

    /// A response the upstream sent whole.
    func record(status: Int, nanoseconds: Int64) {
        byStatusClass[statusClass(status)].increment()
        latency.recordNanoseconds(nanoseconds)
    }
}

/// Index of a status's class (1xx … 5xx) in the counters above.
private func statusClass(_ status: Int) -> Int { min(max(status / 100, 1), 5) - 1 }

/// Gateway-wide handles: open client connections, requests refused before routing,
/// clients dropped for not reading, request fields dropped for an underscore in their names,
/// access log lines dropped.
final class ListenerMetrics: Sendable {
    let activeConnections: Meter
    let rejected: Counter
    let unrouted: Counter
    let writeTimeouts: Counter
    let droppedUnderscoredFields: Counter
    let accessLogDropped: Counter

    init(factory: any MetricsFactory) {
        activeConnections = Meter(label: "meshgate_gateway_active_connections", factory: factory)
        rejected = Counter(label: "meshgate_gateway_rejected_requests_total", factory: factory)
        unrouted = Counter(label: "meshgate_gateway_unrouted_requests_total", factory: factory)
        writeTimeouts = Counter(label: "meshgate_gateway_client_write_timeouts_total", factory: factory)
        droppedUnderscoredFields = Counter(label: "meshgate_gateway_underscored_fields_dropped_total", factory: factory)
        accessLogDropped = Counter(label: "meshgate_access_log_dropped_total", factory: factory)
    }
}
