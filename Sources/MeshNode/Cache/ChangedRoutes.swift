import ManagerCore

/// The routes whose cached responses a new config makes wrong: a route that cached (it had a
/// cache rule) and now sends to another upstream (or split), whose upstream now has other
/// targets, whose cache rule changed, or that is gone (its id may come back with another
/// meaning). A new route, or one that cached nothing, has nothing stored.
enum ChangedRoutes {
    static func ids(from old: GatewayConfig, to new: GatewayConfig) -> [String] {
        let newTargets = targets(new)
        let retargeted = Set(targets(old).filter { newTargets[$0.key] != $0.value }.keys)
        let (before, after) = (old.routes, new.routes)
        var changed: [String] = []
        for (position, counterpart) in before.counterparts(in: after).enumerated() where before[position].cache != nil {
            guard let counterpart else {
                changed.append(before[position].id)
                continue
            }
            if before[position].destination != after[counterpart].destination || before[position].cache != after[counterpart].cache
                || (!retargeted.isEmpty && before[position].destination.upstreamIDs.contains(where: retargeted.contains)) {
                changed.append(before[position].id)
            }
        }
        return changed.sorted()
    }

    /// Each upstream's targets, as the set of their authorities.
    private static func targets(_ config: GatewayConfig) -> [String: Set<String>] {
        Dictionary(config.upstreams.map { ($0.id, Set($0.targets.map(\.authority))) }, uniquingKeysWith: { first, _ in first })
    }
}
