import ManagerCore
import Prometheus

/// The node's config figures on its Prometheus registry.
final class ConfigMetrics: Sendable {
    let rejected: [BundleRejection: Prometheus.Counter]
    let applied: Prometheus.Counter
    let fetches: Prometheus.Counter
    let fetchFailures: Prometheus.Counter
    /// By kind: `full` bundles, `delta`s.
    let fetchedBytes: [String: Prometheus.Counter]
    let version: Prometheus.Gauge
    let lagging: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry) {
        var rejected: [BundleRejection: Prometheus.Counter] = [:]
        for reason in BundleRejection.allCases {
            rejected[reason] = registry.makeCounter(
                name: "meshgate_config_rejected_total", labels: [("reason", reason.rawValue)],
                help: "Signed config bundles refused, by reason; the node keeps serving what it runs")
        }
        self.rejected = rejected
        applied = registry.makeCounter(name: "meshgate_config_applied_total", labels: [],
                                       help: "Config versions verified and applied")
        fetches = registry.makeCounter(name: "meshgate_config_fetches_total", labels: [],
                                       help: "Bundles fetched from peers over the stream port")
        fetchFailures = registry.makeCounter(name: "meshgate_config_fetch_failures_total", labels: [],
                                             help: "Bundle fetches that failed (peer unreachable, nothing held)")
        var fetchedBytes: [String: Prometheus.Counter] = [:]
        for kind in ["full", "delta"] {
            fetchedBytes[kind] = registry.makeCounter(
                name: "meshgate_config_fetched_bytes_total", labels: [("kind", kind)],
                help: "Bytes of bundles (full) and deltas fetched from peers")
        }
        self.fetchedBytes = fetchedBytes
        version = registry.makeGauge(name: "meshgate_config_version", labels: [],
                                     help: "The config version this node serves (0: none)")
        lagging = registry.makeGauge(name: "meshgate_config_lagging", labels: [],
                                     help: "1 while this node runs an older version than one it heard of for longer than the lag threshold")
    }
}
