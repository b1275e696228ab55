import CacheRing
import Prometheus

/// `meshgate_cache_route_entries{route}` and `meshgate_cache_route_bytes{route}`: what each
/// route's responses take in this node's share, registered per route as routes store.
struct RouteShareGauges: Sendable {
    private var entries: LabelledGauges
    private var bytes: LabelledGauges

    init(registry: PrometheusCollectorRegistry) {
        entries = LabelledGauges(registry: registry, "cache", "route_entries",
                                 help: "Stored responses (variants) of each route in this node's share", label: "route")
        bytes = LabelledGauges(registry: registry, "cache", "route_bytes",
                               help: "Bytes each route's responses account in this node's share, bookkeeping included", label: "route")
    }

    mutating func set(_ routes: [String: RouteShare]) {
        entries.set(routes.mapValues(\.entries))
        bytes.set(routes.mapValues(\.bytes))
    }
}
