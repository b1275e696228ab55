import Prometheus

/// One gauge of a family per value of its label, registered when the value first appears:
/// `meshgate_SUBSYSTEM_NAME{LABEL="value"}`.
struct LabelledGauges: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let subsystem: String
    private let name: String
    private let help: String
    private let label: String
    private var gauges: [String: Gauge] = [:]

    init(registry: PrometheusCollectorRegistry, _ subsystem: String, _ name: String, help: String, label: String) {
        self.registry = registry
        self.subsystem = subsystem
        self.name = name
        self.help = help
        self.label = label
    }

    /// Sets the gauge of each value in `figures`; the others keep theirs.
    mutating func set(_ figures: [String: Int]) {
        for (value, figure) in figures {
            let gauge = gauges[value] ?? registry.meshgateGauge(subsystem, name, help: help, labels: [(label, value)])
            gauges[value] = gauge
            gauge.set(Int64(figure))
        }
    }
}
