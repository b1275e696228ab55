import CacheRing
import Logging
import ManagerCore
import Synchronization

/// Busts, on this node only, the routes a newly applied config changed (`ChangedRoutes`):
/// every node applies each config itself, so no rumor is needed. Called after the gateway
/// applied a config, from the config agent or a SIGHUP reload.
public final class RouteBusts: Sendable {
    private let cache: MeshCache
    private let metrics: BustMetrics
    private let logger: Logger
    private let previous: Mutex<GatewayConfig>

    init(cache: MeshCache, metrics: BustMetrics, initial: GatewayConfig, logger: Logger) {
        self.cache = cache
        self.metrics = metrics
        self.logger = logger
        previous = Mutex(initial)
    }

    /// Compares `config` with the one applied before it and busts the routes that changed.
    public func applied(_ config: GatewayConfig) {
        let changed = previous.withLock { previous in
            defer { previous = config }
            return ChangedRoutes.ids(from: previous, to: config)
        }
        guard !changed.isEmpty else { return }
        var removed = 0
        for route in changed { removed += cache.invalidate(.route(route)) }
        metrics.routeBusts.increment(by: Int64(changed.count))
        metrics.removed.increment(by: Int64(removed))
        logger.info("busted the cached responses of routes the new config changed", metadata: [
            "routes": "\(changed.joined(separator: ","))", "removed": "\(removed)",
        ])
    }
}
