import Prometheus

extension PrometheusCollectorRegistry {
    /// `meshgate_SUBSYSTEM_NAME_total`; the same counter for the same name and labels.
    func meshgateCounter(_ subsystem: String, _ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        makeCounter(
            descriptor: MetricNameDescriptor(namespace: "meshgate", subsystem: subsystem, metricName: name, unitName: "total",
                                             helpText: help),
            labels: labels)
    }

    /// `meshgate_SUBSYSTEM_NAME`; the same gauge for the same name and labels.
    func meshgateGauge(_ subsystem: String, _ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        makeGauge(
            descriptor: MetricNameDescriptor(namespace: "meshgate", subsystem: subsystem, metricName: name, unitName: "",
                                             helpText: help),
            labels: labels)
    }
}
