import Foundation
import ServiceLifecycle
import UnixSignals
import Logging
import NIOCore
import NIOPosix
import ManagerCore
import Proxy

/// Starts a whole node from its options: keyring, admin token, gossip, admin API,
/// and runs it until it leaves.
public enum MeshDaemon {
    public static let version = "0.1.0"

    public static func run(options: NodeOptions) async throws {
        LogSetup.bootstrap(format: options.logFormat, level: options.logLevel)
        var logger = Logger(label: "meshd")
        logger.logLevel = options.logLevel
        try FileManager.default.createDirectory(atPath: options.dataDir, withIntermediateDirectories: true)

        let keyringFile = KeyringFile(path: (options.dataDir as NSString).appendingPathComponent("keyring.json"))
        let keyring = try loadKeyring(options: options, file: keyringFile, logger: logger)
        let token = try AdminToken.loadOrCreate(path: options.adminTokenFile)
        let metrics = NodeMetrics.bootstrap()

        // One thread carries gossip and the admin API: a node is mostly idle, and dozens
        // of them share a machine in tests.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let advertise = try await advertiseAddress(options: options)
        let settings = NodeShell.Settings(
            name: options.name, bind: options.bind, advertise: advertise, seeds: options.seeds,
            tags: options.effectiveTags, profile: options.profile.rawValue,
            keyringFile: keyring == nil ? nil : keyringFile)
        let keys = try ConfigKeys.load(options: options)
        let node = try NodeShell(settings: settings, keyring: keyring, loop: loop, metrics: metrics, logger: logger)

        // The data plane gets its own small group, apart from the gossip thread. It starts
        // before the node joins, so a managed worker serves its last-known-good config at once.
        var gatewayGroup: MultiThreadedEventLoopGroup?
        var gateway: Gateway?
        var routeBusts: RouteBusts?
        var gatewaySignals: UnixSignalsSequence?
        let cache = options.gatewayEnabled
            ? MeshCache(capacity: options.cacheSize, name: options.name, tags: options.effectiveTags) : nil
        if let cache { node.subscribeMembership { cache.apply($0) } }
        let bustMetrics = BustMetrics(registry: metrics.registry)
        if options.gatewayEnabled, let cache {
            let gatewayLoops = MultiThreadedEventLoopGroup(numberOfThreads: min(2, System.coreCount))
            gatewayGroup = gatewayLoops
            do {
                let (started, config) = try await startGateway(options: options, group: gatewayLoops, cache: cache, logger: logger)
                gateway = started
                gatewaySignals = await UnixSignalsSequence(trapping: .sighup, .sigusr1)
                routeBusts = RouteBusts(cache: cache, metrics: bustMetrics, initial: config, logger: logger)
            } catch {
                try? await gatewayLoops.shutdownGracefully()
                throw error
            }
        }
        let store = ConfigStore(dataDir: options.dataDir)
        let audit = AuditLog(path: (options.dataDir as NSString).appendingPathComponent("audit.log"))
        var applier: ConfigAgent.Applier?
        if let gateway {
            applier = { [routeBusts] verified in
                try gateway.apply(verified.valid)
                routeBusts?.applied(verified.config)
            }
        }
        let agent = ConfigAgent(
            settings: ConfigAgent.Settings(environment: options.environment, trusted: keys.trusted,
                                           holdsEveryEnvironment: options.role == .manager),
            node: node, store: store, metrics: ConfigMetrics(registry: metrics.registry), apply: applier)
        try await agent.start()
        var publisher: ConfigPublisher?
        if let signing = keys.signing {
            publisher = ConfigPublisher(key: signing, agent: agent, store: store, audit: audit)
            try await publisher?.start()
        }
        let busts = CacheBustAgent(settings: CacheBustAgent.Settings(environment: options.environment),
                                   node: node, cache: cache, metrics: bustMetrics,
                                   outcomes: { [gateway] in gateway?.cacheOutcomes ?? [:] })
        try await busts.start()
        cache?.spreadBusts { invalidation in
            busts.loop.execute { busts.spread(invalidation) }
        }
        _ = try await node.start(connectionLoops: gatewayGroup)
        var peerLinks: PeerLinks?
        if let cache, let gatewayGroup {
            peerLinks = try await CachePeerLinks.connect(cache, node: node, group: gatewayGroup)
            CacheReporter(cache: cache, node: node, registry: metrics.registry,
                          outcomes: { [gateway] in gateway?.cacheOutcomes ?? [:] }).start()
        }

        let (leaveRequests, leaveContinuation) = AsyncStream.makeStream(of: Void.self)
        let access = try AdminAccess(adminToken: token, path: (options.dataDir as NSString).appendingPathComponent("tokens.json"))
        let routes = AdminRoutes(
            node: node, access: access, audit: audit,
            identity: .init(role: options.role.rawValue, version: version, profile: options.profile.rawValue,
                            hasSeeds: !options.seeds.isEmpty),
            config: ConfigEndpoints(agent: agent, publisher: publisher, audit: audit),
            cacheKey: gateway.flatMap { gateway in cache.map { CacheKeyEndpoint(gateway: gateway, cache: $0) } },
            cache: CacheEndpoints(agent: busts, audit: audit, gateway: gateway),
            requestLeave: { leaveContinuation.yield() })
        let admin: any Channel
        do {
            admin = try await AdminHTTPServer.bind(
                host: options.admin.host, port: options.admin.port, group: group,
                screen: { request in routes.screen(request) }, route: { request, loop in routes.handle(request, on: loop) })
        } catch {
            await node.stop()
            throw OptionError("cannot listen on --admin \(options.admin): \(error)")
        }
        logger.info("admin API listening", metadata: ["admin": "\(options.admin.host):\(admin.localAddress?.port ?? options.admin.port)"])

        var services: [(name: String, service: any Service)] = [
            ("node", NodeService(node: node, admin: admin, leaveRequests: leaveRequests, leaveContinuation: leaveContinuation))
        ]
        // A node without a gateway has no config file or access log to reload or reopen:
        // SIGHUP and SIGUSR1 (from logrotate) must not end it.
        if gateway == nil {
            signal(SIGHUP, SIG_IGN)
            signal(SIGUSR1, SIG_IGN)
        }
        if let gateway, let gatewaySignals {
            // Services shut down in reverse order: the gateway drains first, then the node leaves.
            services.append(("gateway", GatewayService(
                gateway: gateway, configPath: options.config, managed: !keys.trusted.isEmpty,
                drainTimeout: options.drainTimeout, cache: cache, logger: logger, signals: gatewaySignals,
                onApplied: { [routeBusts] config in routeBusts?.applied(config) })))
        }

        try await Lifecycle.run(services, logger: logger)
        await peerLinks?.close()
        try? await gatewayGroup?.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    /// Loads `--config` (or starts with no routes) and binds `--http`; answers the gateway and
    /// the config it started with.
    static func startGateway(options: NodeOptions, group: any EventLoopGroup, cache: MeshCache?, logger: Logger) async throws
        -> (Gateway, GatewayConfig)
    {
        let config: GatewayConfig
        do {
            config = try options.config.map { try ManifestLoader.local.load(path: $0).config } ?? .empty
        } catch {
            throw OptionError("--config: \(error)")
        }
        let gateway = try Gateway(
            options: GatewayOptions(host: options.http.host, port: options.http.port, tls: options.tls,
                                    limits: options.limits, tags: options.effectiveTags,
                                    accessLog: options.accessLog, underscoredFields: options.underscoredFields,
                                    viaName: "meshgate", cache: cache),
            config: config, group: group, logger: logger)
        do {
            _ = try await gateway.start()
        } catch {
            throw OptionError("cannot listen on --http \(options.http): \(error)")
        }
        return (gateway, config)
    }

    /// The persisted keyring wins (a rotation survives restarts); otherwise the key file
    /// starts one. No key at all is refused unless `--insecure`.
    static func loadKeyring(options: NodeOptions, file: KeyringFile, logger: Logger) throws -> Keyring? {
        if options.insecure {
            logger.warning("gossip encryption is OFF (--insecure): anyone who can reach the gossip port can join")
            return nil
        }
        guard let path = options.clusterKeyFile else {
            throw OptionError("no --cluster-key-file: gossip must be encrypted; generate a key with `meshctl keygen`, or pass --insecure for a throwaway test mesh")
        }
        let key: ClusterKey
        do {
            key = try ClusterKey(base64: String(contentsOfFile: path, encoding: .utf8))
        } catch let error as ClusterKey.Error {
            throw OptionError("--cluster-key-file \(path): \(error)")
        } catch {
            throw OptionError("cannot read --cluster-key-file \(path): \(error.localizedDescription)")
        }
        let stored: Keyring?
        do { stored = try file.load() } catch {
            throw OptionError("keyring \(file.path) is damaged (\(error)); remove it to start from --cluster-key-file")
        }
        if let stored {
            if !stored.keys.contains(key) {
                logger.warning("--cluster-key-file holds a key that is not in the stored keyring; using the stored keyring",
                               metadata: ["keyring": "\(file.path)", "file_key": "\(key.fingerprint)"])
            }
            return stored
        }
        let keyring = Keyring(primary: key)
        try file.save(keyring)
        return keyring
    }

    /// `--advertise`, or the bind address; a wildcard bind advertises the first
    /// non-loopback IPv4 address of the host.
    static func advertiseAddress(options: NodeOptions) async throws -> HostPort {
        var chosen = options.advertise ?? options.bind
        if options.advertise == nil, options.bind.isWildcard {
            let devices = (try? System.enumerateDevices()) ?? []
            let ipv4 = devices.compactMap { device -> String? in
                guard let ip = device.address?.ipAddress, case .v4 = device.address, !ip.hasPrefix("127.") else { return nil }
                return ip
            }
            chosen.host = ipv4.first ?? "127.0.0.1"
        }
        if (try? SocketAddress(ipAddress: chosen.host, port: 0)) == nil {
            guard let ip = try await SeedResolver.lookup(chosen.host).first else {
                throw OptionError("--advertise host \(chosen.host) does not resolve")
            }
            chosen.host = ip
        }
        return chosen
    }
}
