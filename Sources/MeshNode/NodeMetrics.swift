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
    let censusExchanges: Prometheus.Counter
    let members: [String: Prometheus.Gauge]

    public static let memberStates = ["alive", "suspect", "dead", "left"]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        messagesIn = registry.meshgateCounter("gossip", "messages_in", help: "Gossip messages received and opened")
        messagesOut = registry.meshgateCounter("gossip", "messages_out", help: "Gossip messages sent")
        bytesIn = registry.meshgateCounter("gossip", "bytes_in", help: "Gossip bytes received, envelope included")
        bytesOut = registry.meshgateCounter("gossip", "bytes_out", help: "Gossip bytes sent, envelope included")
        decodeErrors = registry.meshgateCounter(
            "gossip", "decode_errors", help: "Opened messages the protocol could not decode, and malformed envelopes")
        badKeyPackets = registry.meshgateCounter("gossip", "bad_key_packets", help: "Packets and streams no installed key opens: dropped")
        replayedPackets = registry.meshgateCounter("gossip", "replayed_packets", help: "Packets refused by the replay guard: dropped")
        pushPulls = registry.meshgateCounter(
            "gossip", "push_pulls", help: "TCP stream exchanges (push-pull, and the stream ping fallback), started or served")
        censusExchanges = registry.meshgateCounter(
            "gossip", "census_exchanges", help: "Push-pulls started because a peer's census showed members this node lacked")
        streamsRefused = registry.meshgateCounter(
            "gossip", "streams_refused", help: "TCP streams closed for the connection limit, size limit or read timeout")
        peerRequestsServed = registry.meshgateCounter("peer", "requests_served", help: "Peer session requests handed to the node's handler")
        peerRequestsBusy = registry.meshgateCounter(
            "peer", "requests_busy", help: "Peer session requests refused: the session's in-flight limit was reached")
        probes = registry.meshgateCounter("swim", "probes", help: "Direct probes sent")
        indirectProbes = registry.meshgateCounter("swim", "indirect_probes", help: "Indirect probes (ping-req) sent")
        suspicionsRaised = registry.meshgateCounter("swim", "suspicions_raised", help: "Members this node started to suspect")
        refutations = registry.meshgateCounter("swim", "refutations", help: "Suspicions of this node that it refuted")
        var gauges: [String: Prometheus.Gauge] = [:]
        for state in Self.memberStates {
            gauges[state] = registry.meshgateGauge(
                "swim", "members", help: "Members known to this node, by state", labels: [("state", state)])
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
