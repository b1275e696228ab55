import CoreMetrics
import Metrics
import Prometheus

/// The node's Prometheus registry and its gossip metrics.
///
/// `bootstrap()` also installs the registry as the process-wide swift-metrics backend, once,
/// so metrics that other modules (the gateway) record through swift-metrics appear on the
/// same `/metrics` page.
public final class NodeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    let messagesIn: Prometheus.Counter
    let messagesOut: Prometheus.Counter
    let bytesIn: Prometheus.Counter
    let bytesOut: Prometheus.Counter
    let decodeErrors: Prometheus.Counter
    let badKeyPackets: Prometheus.Counter
    let replayedPackets: Prometheus.Counter
    let pushPulls: Prometheus.Counter
    let streamsRefused: Prometheus.Counter
    let peerRequestsServed: Prometheus.Counter
    let peerRequestsBusy: Prometheus.Counter
    let probes: Prometheus.Counter
    let indirectProbes: Prometheus.Counter
    let suspicionsRaised: Prometheus.Counter
    let refutations: Prometheus.Counter
    let members: [String: Prometheus.Gauge]

    public static let memberStates = ["alive", "suspect", "dead", "left"]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func counter(_ subsystem: String, _ name: String, _ help: String) -> Prometheus.Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(
                namespace: "meshgate", subsystem: subsystem, metricName: name, unitName: "total", helpText: help))
        }
        messagesIn = counter("gossip", "messages_in", "Gossip messages received and opened")
        messagesOut = counter("gossip", "messages_out", "Gossip messages sent")
        bytesIn = counter("gossip", "bytes_in", "Gossip bytes received, envelope included")
        bytesOut = counter("gossip", "bytes_out", "Gossip bytes sent, envelope included")
        decodeErrors = counter("gossip", "decode_errors", "Opened messages the protocol could not decode, and malformed envelopes")
        badKeyPackets = counter("gossip", "bad_key_packets", "Packets and streams no installed key opens: dropped")
        replayedPackets = counter("gossip", "replayed_packets", "Packets refused by the replay guard: dropped")
        pushPulls = counter("gossip", "push_pulls", "TCP stream exchanges (push-pull, and the stream ping fallback), started or served")
        streamsRefused = counter("gossip", "streams_refused", "TCP streams closed for the connection limit, size limit or read timeout")
        peerRequestsServed = counter("peer", "requests_served", "Peer session requests handed to the node's handler")
        peerRequestsBusy = counter("peer", "requests_busy", "Peer session requests refused: the session's in-flight limit was reached")
        probes = counter("swim", "probes", "Direct probes sent")
        indirectProbes = counter("swim", "indirect_probes", "Indirect probes (ping-req) sent")
        suspicionsRaised = counter("swim", "suspicions_raised", "Members this node started to suspect")
        refutations = counter("swim", "refutations", "Suspicions of this node that it refuted")
        var gauges: [String: Prometheus.Gauge] = [:]
        for state in Self.memberStates {
            gauges[state] = registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "meshgate", subsystem: "swim", metricName: "members", unitName: "",
                    helpText: "Members known to this node, by state"),
                labels: [("state", state)])
        }
        members = gauges
    }

    private static let bootstrapped = BootstrapOnce()

    /// A registry that is also the swift-metrics backend; the same one on every call.
    public static func bootstrap() -> NodeMetrics {
        bootstrapped.metrics
    }

    private final class BootstrapOnce: Sendable {
        let metrics: NodeMetrics
        init() {
            metrics = NodeMetrics()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        }
    }

    public func render() -> String { registry.emitToString() }
}
