import ManagerCore
import Metrics
import Logging
import NIOCore
import NIOHTTP1

/// One immutable, compiled config: what every request reads with a single load of the
/// gateway's current snapshot and keeps until it ends.
final class CompiledConfig: Sendable {
    let config: GatewayConfig
    let router: Router<CompiledRoute>
    let upstreams: [String: UpstreamRuntime]
    let targets: [TargetRuntime.TargetKey: TargetRuntime]
    /// Metric handles by route and upstream id, kept by the next config for the ids it keeps.
    let routeMetrics: [String: RouteMetricsSlot]
    let upstreamMetrics: [String: UpstreamMetrics]

    /// Builds routes, policies and upstreams. Targets whose key is in `reuse` keep their
    /// warm pools and health; the others are created (and resolved) here. Routes and
    /// upstreams `previous` had keep its metric handles.
    init(
        config: GatewayConfig, reuse: [TargetRuntime.TargetKey: TargetRuntime], previous: CompiledConfig? = nil,
        region: String?, policyContext: PolicyBuildContext, metrics: any MetricsFactory
    ) throws {
        var routeMetrics: [String: RouteMetricsSlot] = [:]
        var upstreamMetrics: [String: UpstreamMetrics] = [:]
        self.config = config
        var targets: [TargetRuntime.TargetKey: TargetRuntime] = [:]
        var upstreams: [String: UpstreamRuntime] = [:]
        for upstream in config.upstreams {
            let runtimes = try upstream.targets.map { target -> TargetRuntime in
                let key = TargetRuntime.key(upstream: upstream, target: target)
                if let existing = reuse[key], existing.config == target {
                    targets[key] = existing
                    return existing
                }
                let fresh = try TargetRuntime(upstream: upstream, target: target, group: policyContext.group)
                targets[key] = fresh
                return fresh
            }
            upstreams[upstream.id] = UpstreamRuntime(
                config: upstream, targets: runtimes, region: region,
                metrics: Self.handles(upstream.id, from: previous?.upstreamMetrics, into: &upstreamMetrics) {
                    UpstreamMetrics(upstream: upstream.id, factory: metrics)
                })
        }
        var rules: [Router<CompiledRoute>.Rule] = []
        for route in config.routes {
            let destination: CompiledRoute.Destination
            switch route.destination {
            case .upstream(let id):
                destination = .single(upstreams[id]!)
            case .split(let shares, let sticky):
                destination = .split(SplitRuntime(
                    shares: shares.map { (upstreams[$0.upstream]!, $0.weight) }, sticky: sticky))
            }
            let policies = try route.policies.map { try PolicyFactory.make($0, context: policyContext) }
            let compiled = CompiledRoute(
                config: route, destination: destination, policies: policies,
                metrics: Self.handles(route.id, from: previous?.routeMetrics, into: &routeMetrics) {
                    RouteMetricsSlot { [id = route.id] in RouteMetrics(route: id, factory: metrics) }
                })
            rules.append(.init(hosts: route.match.hosts, path: route.match.path, rank: compiled.rank, value: compiled))
        }
        self.router = Router(rules: rules)
        self.routeMetrics = routeMetrics
        self.upstreamMetrics = upstreamMetrics
        self.upstreams = upstreams
        self.targets = targets
    }

    /// The handles of `id` from the previous config, or new ones; recorded in `kept`.
    private static func handles<Handles>(
        _ id: String, from previous: [String: Handles]?, into kept: inout [String: Handles], make: () -> Handles
    ) -> Handles {
        let handles = previous?[id] ?? make()
        kept[id] = handles
        return handles
    }
}
