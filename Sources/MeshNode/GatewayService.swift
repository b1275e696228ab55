import Logging
import Proxy
import ServiceLifecycle
import UnixSignals

/// The gateway as a service: SIGHUP reloads `--config` (an invalid file changes nothing);
/// SIGUSR1 reopens the access log file; a graceful shutdown stops accepting and drains
/// in-flight requests.
public struct GatewayService: Service {
    public let gateway: Gateway
    public let configPath: String?
    public let drainTimeout: Duration
    public let logger: Logger

    public init(gateway: Gateway, configPath: String?, drainTimeout: Duration, logger: Logger) {
        self.gateway = gateway
        self.configPath = configPath
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    public func run() async throws {
        for await signal in await UnixSignalsSequence(trapping: .sighup, .sigusr1).cancelOnGracefulShutdown() {
            if signal == .sigusr1 {
                gateway.reopenAccessLog()
            } else {
                reload()
            }
        }
        logger.info("draining the gateway")
        await gateway.drain(timeout: drainTimeout)
    }

    func reload() {
        guard let configPath else {
            logger.notice("SIGHUP: no --config to reload")
            return
        }
        do {
            try gateway.apply(GatewayConfig.load(path: configPath))
            logger.info("SIGHUP: gateway config reloaded", metadata: ["config": "\(configPath)"])
        } catch {
            logger.error("SIGHUP: config refused, the previous one keeps serving",
                         metadata: ["config": "\(configPath)", "error": "\(error)"])
        }
    }
}
