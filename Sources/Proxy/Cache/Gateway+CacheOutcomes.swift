import CacheRing
extension Gateway {
    /// What the cache did for each route of the current config since start (kept across config
    /// swaps by route id); only routes that have had a request through the cache are listed.
    public var cacheOutcomes: [String: CacheOutcomes] {
        snapshot.routes.compactMapValues { $0.metricsSlot.registered?.registeredCache?.outcomes }
    }
}
