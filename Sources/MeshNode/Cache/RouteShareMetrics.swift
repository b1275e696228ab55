import CacheRing
import Prometheus

/// Each route's part of this node's share on `/metrics`: `meshgate_cache_route_entries{route}`,
/// `meshgate_cache_route_bytes{route}` and `meshgate_cache_route_evictions_total{route,reason}`,
/// registered per route as routes store (and evict).
struct RouteShareMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private var entries: LabelledGauges
    private var bytes: LabelledGauges
    private var evictions: [RouteReason: Counted] = [:]

    private struct RouteReason: Hashable {
        let route: String
        let reason: String
    }

    /// A counter and the store's total it has counted up to.
    private struct Counted {
        let counter: Counter
        var total: Int
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        entries = LabelledGauges(registry: registry, "cache", "route_entries",
                                 help: "Stored responses (variants) of each route in this node's share", label: "route")
        bytes = LabelledGauges(registry: registry, "cache", "route_bytes",
                               help: "Bytes each route's responses account in this node's share, bookkeeping included", label: "route")
    }

    mutating func set(_ routes: [String: RouteShare]) {
        entries.set(routes.mapValues(\.entries))
        bytes.set(routes.mapValues(\.bytes))
        for (route, share) in routes {
            count(RouteReason(route: route, reason: "capacity"), upTo: share.evicted)
            count(RouteReason(route: route, reason: "bust"), upTo: share.invalidated)
        }
    }

    private mutating func count(_ key: RouteReason, upTo total: Int) {
        guard total > evictions[key]?.total ?? 0 else { return }
        var counted = evictions[key] ?? Counted(
            counter: registry.meshgateCounter("cache", "route_evictions", help: "Entries of each route dropped from the share, by reason",
                                              labels: [("route", key.route), ("reason", key.reason)]),
            total: 0)
        counted.counter.increment(by: Int64(total - counted.total))
        counted.total = total
        evictions[key] = counted
    }
}
