import Logging
import ManagerCore
import Proxy
import ServiceLifecycle
import UnixSignals

/// The gateway as a service: SIGHUP reloads `--config` (an invalid file changes nothing);
/// SIGUSR1 reopens the access log file; a graceful shutdown stops accepting, drains
/// in-flight requests, then hands the node's cache entries to their next owners.
public struct GatewayService: Service {
    public let gateway: Gateway
    public let configPath: String?
    /// The config comes from the manager as signed bundles; SIGHUP has nothing to reload.
    public let managed: Bool
    public let drainTimeout: Duration
    public let logger: Logger
    public let cache: MeshCache?
    /// Told of each config a reload applied (the node busts the routes it changed).
    public let onApplied: (@Sendable (GatewayConfig) -> Void)?
    /// SIGHUP and SIGUSR1, trapped since the node started serving: one sent before this
    /// service runs waits for it, instead of ending the process.
    let signals: UnixSignalsSequence

    public init(gateway: Gateway, configPath: String?, managed: Bool, drainTimeout: Duration, cache: MeshCache? = nil,
                logger: Logger, signals: UnixSignalsSequence, onApplied: (@Sendable (GatewayConfig) -> Void)? = nil) {
        self.signals = signals
        self.gateway = gateway
        self.configPath = configPath
        self.managed = managed
        self.drainTimeout = drainTimeout
        self.logger = logger
        self.cache = cache
        self.onApplied = onApplied
    }

    public func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            if signal == .sigusr1 {
                gateway.reopenAccessLog()
            } else {
                reload()
            }
        }
        logger.info("draining the gateway")
        await gateway.drain(timeout: drainTimeout)
        if let cache {
            let (sent, left) = await cache.handOffBeforeLeaving(until: .now + drainTimeout)
            logger.info("cache entries handed to their next owners", metadata: ["sent": "\(sent)", "unsent": "\(left)"])
        }
    }

    func reload() {
        guard let configPath else {
            logger.notice(managed
                ? "SIGHUP: this node's config comes from the manager as signed versions; nothing to reload"
                : "SIGHUP: no --config to reload")
            return
        }
        do {
            let config = try ManifestLoader.local.load(path: configPath).config
            try gateway.apply(ManifestValidation.validated(config))
            onApplied?(config)
            logger.info("SIGHUP: gateway config reloaded", metadata: ["config": "\(configPath)"])
        } catch {
            logger.error("SIGHUP: config refused, the previous one keeps serving",
                         metadata: ["config": "\(configPath)", "error": "\(error)"])
        }
    }
}
