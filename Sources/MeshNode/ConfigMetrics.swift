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
        func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Prometheus.Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "meshgate", subsystem: "config", metricName: name, unitName: "total",
                                                 helpText: help),
                labels: labels)
        }
        func gauge(_ name: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(
                namespace: "meshgate", subsystem: "config", metricName: name, unitName: "", helpText: help))
        }
        var rejected: [BundleRejection: Prometheus.Counter] = [:]
        for reason in BundleRejection.allCases {
            rejected[reason] = counter(
                "rejected", "Signed config bundles refused, by reason; the node keeps serving what it runs",
                labels: [("reason", reason.rawValue)])
        }
        self.rejected = rejected
        applied = counter("applied", "Config versions verified and applied")
        fetches = counter("fetches", "Bundles fetched from peers over the stream port")
        fetchFailures = counter("fetch_failures", "Bundle fetches that failed (peer unreachable, nothing held)")
        var fetchedBytes: [String: Prometheus.Counter] = [:]
        for kind in ["full", "delta"] {
            fetchedBytes[kind] = counter("fetched_bytes", "Bytes of bundles (full) and deltas fetched from peers",
                                         labels: [("kind", kind)])
        }
        self.fetchedBytes = fetchedBytes
        version = gauge("version", "The config version this node serves (0: none)")
        lagging = gauge("lagging", "1 while this node runs an older version than one it heard of for longer than the lag threshold")
    }
}
