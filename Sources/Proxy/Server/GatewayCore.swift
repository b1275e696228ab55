import Metrics
import Logging
import NIOCore
import Synchronization

/// What every connection handler of one gateway shares: options, the current config
/// snapshot, observability, and the registry used by drain.
final class GatewayCore: Sendable {
    let options: GatewayOptions
    let logger: Logger
    let accessLog: AccessLog
    let metrics: ListenerMetrics
    let requestIDs = RequestIDGenerator()
    let connections = ConnectionRegistry()
    let via: String
    /// The response cache that routes with a `cache:` rule use; nil: none is served or stored.
    let cache: (any ResponseCache)?
    private let current: Mutex<CompiledConfig>

    init(options: GatewayOptions, logger: Logger, initial: CompiledConfig) throws {
        self.options = options
        self.logger = logger
        self.metrics = ListenerMetrics(factory: options.metricsFactory ?? MetricsSystem.factory)
        self.accessLog = try AccessLog(settings: options.accessLog, metrics: metrics, logger: logger)
        self.current = Mutex(initial)
        self.via = "1.1 " + options.viaName
        self.cache = options.cache
    }

    /// The snapshot a new request will use for its whole life.
    @inline(__always)
    func snapshot() -> CompiledConfig { current.withLock { $0 } }

    /// Installs `next` and returns the one it replaced.
    func swap(_ next: CompiledConfig) -> CompiledConfig {
        current.withLock { value in
            let previous = value
            value = next
            return previous
        }
    }
}
