import ManagerCore

/// The routes whose cached responses a new config makes wrong: a route that cached (it had a
/// cache rule) and now sends to another upstream (or split), whose upstream now has other
/// targets, whose cache rule changed, or that is gone (its id may come back with another
/// meaning). A new route, or one that cached nothing, has nothing stored.
enum ChangedRoutes {
    static func ids(from old: GatewayConfig, to new: GatewayConfig) -> [String] {
        let newTargets = targets(new)
        let retargeted = Set(targets(old).filter { newTargets[$0.key] != $0.value }.keys)
        return zip(old.routes.indices, old.routes.counterparts(in: new.routes)).compactMap { position, counterpart in
            let route = old.routes[position]
            guard route.cache != nil else { return nil }
            guard let counterpart else { return route.id }
            let next = new.routes[counterpart]
            let changed = route.destination != next.destination || route.cache != next.cache
                || route.destination.upstreamIDs.contains(where: retargeted.contains)
            return changed ? route.id : nil
        }
        .sorted()
    }

    /// Each upstream's targets, as the set of their authorities.
    private static func targets(_ config: GatewayConfig) -> [String: Set<String>] {
        Dictionary(config.upstreams.map { ($0.id, Set($0.targets.map(\.authority))) }, uniquingKeysWith: { first, _ in first })
    }
}
