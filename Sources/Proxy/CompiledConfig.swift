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
    /// By id: the next config keeps the compiled routes that did not change.
    let routes: [String: CompiledRoute]
    let targets: [TargetRuntime.TargetKey: TargetRuntime]

    /// Builds routes, policies and upstreams. Targets whose key is in `reuse` keep their
    /// warm pools and health; the others are created (and resolved) here. Routes and
    /// upstreams `previous` had keep its metric handles; those that did not change (an
    /// upstream with the same config and targets, a route with the same config and
    /// upstreams) are `previous`'s own, policies and their state included.
    init(
        config: GatewayConfig, reuse: [TargetRuntime.TargetKey: TargetRuntime], previous: CompiledConfig? = nil,
        region: String?, policyContext: PolicyBuildContext, metrics: any MetricsFactory
    ) throws {
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
            if let kept = previous?.upstreams[upstream.id], kept.config == upstream,
               kept.targets.elementsEqual(runtimes, by: ===) {
                upstreams[upstream.id] = kept
                continue
            }
            upstreams[upstream.id] = UpstreamRuntime(
                config: upstream, targets: runtimes, region: region,
                metrics: previous?.upstreams[upstream.id]?.metrics ?? UpstreamMetrics(upstream: upstream.id, factory: metrics))
        }
        var rules: [Router<CompiledRoute>.Rule] = []
        var routes: [String: CompiledRoute] = [:]
        routes.reserveCapacity(config.routes.count)
        for route in config.routes {
            if let kept = previous?.routes[route.id], kept.config == route, kept.destination.isSame(in: upstreams) {
                routes[route.id] = kept
                rules.append(.init(hosts: route.match.hosts, path: route.match.path, rank: kept.rank, value: kept))
                continue
            }
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
                metrics: previous?.routes[route.id]?.metricsSlot
                    ?? RouteMetricsSlot { [id = route.id] in RouteMetrics(route: id, factory: metrics) })
            routes[route.id] = compiled
            rules.append(.init(hosts: route.match.hosts, path: route.match.path, rank: compiled.rank, value: compiled))
        }
        self.router = Router(rules: rules)
        self.routes = routes
        self.upstreams = upstreams
        self.targets = targets
    }
}
