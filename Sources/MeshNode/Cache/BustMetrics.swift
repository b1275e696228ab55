import Prometheus

/// The node's bust figures on its Prometheus registry.
final class BustMetrics: Sendable {
    /// `received`: bust messages that reached this node (rumors, direct sends, catch-ups),
    /// repeats included; `applied`: distinct busts applied.
    let received: Prometheus.Counter
    let applied: Prometheus.Counter
    let removed: Prometheus.Counter
    let malformed: Prometheus.Counter
    /// Catch-ups after missed busts: `replayed` from a peer's log, `all` when the log no longer
    /// held them and everything was busted.
    let catchUps: [String: Prometheus.Counter]
    let routeBusts: Prometheus.Counter

    init(registry: PrometheusCollectorRegistry) {
        func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Prometheus.Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "meshgate", subsystem: "cache", metricName: name, unitName: "total",
                                                 helpText: help),
                labels: labels)
        }
        let busts = "Cache busts: received (rumors, direct sends and catch-ups, repeats included) and applied (each once)"
        received = counter("busts", busts, labels: [("kind", "received")])
        applied = counter("busts", busts, labels: [("kind", "applied")])
        removed = counter("bust_removed_entries", "Stored variants removed by busts")
        malformed = counter("busts_malformed", "Bust messages refused as malformed")
        var catchUps: [String: Prometheus.Counter] = [:]
        for outcome in ["replayed", "all"] {
            catchUps[outcome] = counter(
                "bust_catchups", "Missed busts caught up: replayed from a peer's log, or all (the log no longer held them: everything busted)",
                labels: [("outcome", outcome)])
        }
        self.catchUps = catchUps
        routeBusts = counter("route_busts", "Routes busted on this node because a new config changed their upstream or cache rule")
    }
}
