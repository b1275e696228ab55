import ManagerCore

/// The routes whose cached responses a new config makes wrong: a route that cached (it had a
/// cache rule) and now sends to another upstream (or split), whose upstream now has other
/// targets, whose cache rule changed, or that is gone (its id may come back with another
/// meaning). A new route, or one that cached nothing, has nothing stored.
enum ChangedRoutes {
    static func ids(from old: GatewayConfig, to new: GatewayConfig) -> [String] {
        let newTargets = targets(new)
        let retargeted = Set(targets(old).filter { newTargets[$0.key] != $0.value }.keys)
        return zip(old.routes, old.routes.counterparts(in: new.routes)).filter { route, next in
            guard route.cache != nil else { return false }
            guard let next else { return true }
            return route.destination != next.destination || route.cache != next.cache
                || route.destination.upstreamIDs.contains(where: retargeted.contains)
        }
        .map(\.0.id).sorted()
    }

    /// Each upstream's targets, as the set of their authorities.
    private static func targets(_ config: GatewayConfig) -> [String: Set<String>] {
        Dictionary(config.upstreams.map { ($0.id, Set($0.targets.map(\.authority))) }, uniquingKeysWith: { first, _ in first })
    }
}
