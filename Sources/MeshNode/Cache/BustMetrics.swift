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
        let busts = "Cache busts: received (rumors, direct sends and catch-ups, repeats included) and applied (each once)"
        received = registry.meshgateCounter("cache", "busts", help: busts, labels: [("kind", "received")])
        applied = registry.meshgateCounter("cache", "busts", help: busts, labels: [("kind", "applied")])
        removed = registry.meshgateCounter("cache", "bust_removed_entries", help: "Stored variants removed by busts")
        malformed = registry.meshgateCounter("cache", "busts_malformed", help: "Bust messages refused as malformed")
        var catchUps: [String: Prometheus.Counter] = [:]
        for outcome in ["replayed", "all"] {
            catchUps[outcome] = registry.meshgateCounter(
                "cache", "bust_catchups", help: "Missed busts caught up: replayed from a peer's log, or all (the log no longer held them: everything busted)",
                labels: [("outcome", outcome)])
        }
        self.catchUps = catchUps
        routeBusts = registry.meshgateCounter(
            "cache", "route_busts", help: "Routes busted on this node because a new config changed their upstream or cache rule")
    }
}
