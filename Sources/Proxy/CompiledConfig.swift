import ManagerCore
import Metrics
import Logging
import NIOCore
import NIOHTTP1

/// One immutable, compiled config: what every request reads with a single load of the
/// gateway's current snapshot and keeps until it ends.
final class CompiledConfig: Sendable {
    let config: GatewayConfig
    /// The routes' rules by their position in the config, so a new config whose routes match
    /// the same requests in the same order keeps the trie, whatever else changed.
    private let router: Router<Int>
    /// The compiled routes, in the config's order.
    private let ordered: [CompiledRoute]
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
        var ordered: [CompiledRoute] = []
        ordered.reserveCapacity(config.routes.count)
        var routes: [String: CompiledRoute] = [:]
        routes.reserveCapacity(config.routes.count)
        for route in config.routes {
            if let kept = previous?.routes[route.id], kept.config == route, kept.destination.isSame(in: upstreams) {
                routes[route.id] = kept
                ordered.append(kept)
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
            ordered.append(compiled)
        }
        if let previous, Self.matchSameRequests(previous.ordered, ordered) {
            self.router = previous.router
        } else {
            self.router = Router(rules: ordered.enumerated().map { position, route in
                .init(hosts: route.config.match.hosts, path: route.config.match.path, rank: route.rank, value: position)
            })
        }
        self.ordered = ordered
        self.routes = routes
        self.upstreams = upstreams
        self.targets = targets
    }

    /// The route a request takes: the most specific whose match covers it and that `accept`
    /// admits (method and header conditions).
    func route(host: () -> Substring, path: Substring, accept: (CompiledRoute) -> Bool) -> CompiledRoute? {
        router.match(host: host, path: path, accept: { accept(ordered[$0]) }).map { ordered[$0] }
    }

    /// Whether two route lists give every position the same hosts, path and rank.
    private static func matchSameRequests(_ old: [CompiledRoute], _ new: [CompiledRoute]) -> Bool {
        old.count == new.count && zip(old, new).allSatisfy { a, b in
            a === b || (a.rank == b.rank && a.config.match.path == b.config.match.path && a.config.match.hosts == b.config.match.hosts)
        }
    }
}
