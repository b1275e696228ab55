import ManagerCore
import Metrics
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The HTTP gateway of one node: a listener, the compiled config it serves, and the
/// hot-swap and drain entry points the node drives.
public final class Gateway: Sendable {
    private let core: GatewayCore
    private let group: any EventLoopGroup
    private let logger: Logger
    private let policyContext: PolicyBuildContext
    private let tls: NIOSSLContext?
    private let serverChannel = Mutex<(any Channel)?>(nil)
    /// Serializes `apply` calls and owns the active health checkers.
    private let applyState = Mutex<HealthCheckers>(HealthCheckers())

    public init(options: GatewayOptions, config: GatewayConfig, group: any EventLoopGroup, logger: Logger) throws {
        self.group = group
        self.logger = logger
        self.policyContext = PolicyBuildContext(group: group, logger: logger)
        let compiled = try CompiledConfig(
            config: config, reuse: [:], region: options.tags["region"], policyContext: policyContext,
            metrics: options.metricsFactory ?? MetricsSystem.factory)
        if let files = options.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath)
                let key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
                var tlsConfig = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
                tlsConfig.applicationProtocols = ["http/1.1"]
                self.tls = try NIOSSLContext(configuration: tlsConfig)
            } catch {
                throw ConfigError(file: files.certificateChainPath, line: 0, "cannot load TLS certificate or key: \(error)")
            }
        } else {
            self.tls = nil
        }
        // Last: the access log starts its writer's thread once nothing else can fail.
        self.core = try GatewayCore(options: options, logger: logger, initial: compiled)
        applyState.withLock { $0.update(for: compiled, group: group, logger: logger) }
    }

    /// Binds the listener; returns the bound port (useful with port 0).
    public func start() async throws -> Int {
        let core = self.core
        let tls = self.tls
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let clock = ConnectionClock()
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    let handler = ProxyHandler(core: core, clock: clock, scheme: tls == nil ? "http" : "https")
                    try sync.addHandler(handler)
                }
            }
            .bind(host: core.options.host, port: core.options.port)
            .get()
        serverChannel.withLock { $0 = channel }
        logger.info("gateway listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        return channel.localAddress?.port ?? core.options.port
    }

    /// Compiles `config` and makes it the one new requests use. Requests in flight keep
    /// the snapshot they started with; targets that stay keep their warm pools; pools of
    /// removed targets close as they go idle. A config that does not compile (a policy
    /// that cannot be built, a target that cannot be set up) throws and changes nothing.
    public func apply(_ valid: ValidConfig) throws {
        let config = valid.config
        try applyState.withLock { checkers in
            let current = core.snapshot()
            let next: CompiledConfig
            do {
                next = try CompiledConfig(
                    config: config, reuse: current.targets, previous: current, region: core.options.tags["region"],
                    policyContext: policyContext, metrics: core.options.metricsFactory ?? MetricsSystem.factory)
            } catch {
                logger.error("config refused, the previous one keeps serving", metadata: ["error": "\(error)"])
                throw error
            }
            let previous = core.swap(next)
            for (key, target) in previous.targets where next.targets[key] !== target {
                target.retire()
            }
            checkers.update(for: next, group: group, logger: logger)
            logger.info("config applied", metadata: ["routes": "\(config.routes.count)", "upstreams": "\(config.upstreams.count)"])
        }
    }

    /// Stops accepting, lets in-flight requests finish (each connection closes after
    /// its current response), and closes whatever is left when `timeout` runs out.
    public func drain(timeout: Duration) async {
        let server = serverChannel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await server?.close()
        for channel in core.connections.all {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = ContinuousClock.now + timeout
        while !core.connections.all.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = core.connections.all
        if !left.isEmpty {
            logger.warning("drain timed out, closing connections", metadata: ["connections": "\(left.count)"])
            for channel in left { try? await channel.close() }
        }
        applyState.withLock { $0.stopAll() }
        for target in core.snapshot().targets.values { target.retire() }
        await core.accessLog.finish(timeout: .seconds(2))
    }

    /// Opens the access log file again by its path, once the lines waiting are written to
    /// the file open now: what SIGUSR1 does after a rotation moved the file.
    public func reopenAccessLog() {
        core.accessLog.reopen()
    }

    /// The snapshot new requests get.
    var snapshot: CompiledConfig { core.snapshot() }

    /// Number of open client connections.
    public var openConnections: Int { core.connections.all.count }
}
