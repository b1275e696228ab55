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
            rejected[reason] = registry.meshgateCounter(
                "config", "rejected", help: "Signed config bundles refused, by reason; the node keeps serving what it runs",
                labels: [("reason", reason.rawValue)])
        }
        self.rejected = rejected
        applied = registry.meshgateCounter("config", "applied", help: "Config versions verified and applied")
        fetches = registry.meshgateCounter("config", "fetches", help: "Bundles fetched from peers over the stream port")
        fetchFailures = registry.meshgateCounter(
            "config", "fetch_failures", help: "Bundle fetches that failed (peer unreachable, nothing held)")
        var fetchedBytes: [String: Prometheus.Counter] = [:]
        for kind in ["full", "delta"] {
            fetchedBytes[kind] = registry.meshgateCounter(
                "config", "fetched_bytes", help: "Bytes of bundles (full) and deltas fetched from peers", labels: [("kind", kind)])
        }
        self.fetchedBytes = fetchedBytes
        version = registry.meshgateGauge("config", "version", help: "The config version this node serves (0: none)")
        lagging = registry.meshgateGauge(
            "config", "lagging", help: "1 while this node runs an older version than one it heard of for longer than the lag threshold")
    }
}
