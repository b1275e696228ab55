import Foundation
import Gossip
import Logging
import ManagerCore
import NIOCore
import NIOPosix

/// Drives one Gossip core over real sockets with the real clock.
///
/// The core and all state here belong to one event loop: every call into the core happens
/// on it, and after each call the single protocol timer is moved to the core's
/// `nextDeadline`. Public methods hop to the loop themselves.
public final class NodeShell: @unchecked Sendable {
    public struct Settings: Sendable {
        public var name: String
        public var bind: HostPort
        public var advertise: HostPort
        public var seeds: [SeedSpec]
        public var tags: [String: String]
        public var profile: String
        public var keyringFile: KeyringFile?
        public var limits = StreamLimits()
        /// Longest wait for a leave to spread before the node stops anyway.
        public var leaveTimeout: Duration = .seconds(2)
        /// How long a keyring change waits for every alive member to acknowledge it.
        public var keyringAckTimeout: Duration = .seconds(5)

        public init(name: String, bind: HostPort, advertise: HostPort, seeds: [SeedSpec], tags: [String: String],
                    profile: String, keyringFile: KeyringFile?) {
            self.name = name
            self.bind = bind
            self.advertise = advertise
            self.seeds = seeds
            self.tags = tags
            self.profile = profile
            self.keyringFile = keyringFile
        }
    }

    public let settings: Settings
    public let loop: any EventLoop
    public let logger: Logger
    public let metrics: NodeMetrics
    public let startedAt = Date()
    let config: GossipConfig
    let resolver = SeedResolver()

    // Event-loop state.
    var gossip: GossipNode
    /// The keyring, shared with the peer sessions that seal and open off this loop.
    public let liveKeyring: LiveKeyring
    var keyring: Keyring? {
        get { liveKeyring.keyring }
        set { liveKeyring.keyring = newValue }
    }
    var replayGuard = ReplayGuard()
    var figures = GossipFigures()
    var badPackets = BadPacketLog()
    var transport: GossipTransport?
    var timer: Scheduled<Void>?
    var timerDeadline: Instant?
    var resolvedSeeds: [NodeAddress] = []
    var seedTask: RepeatedTask?
    var joinRetry: Scheduled<Void>?
    var joinRetryDelay: TimeAmount = .zero
    var keyringVersion: UInt64 = 0
    var rumorSubscribers: [(prefix: String, deliver: @Sendable (Rumor) -> Void)] = []
    var membershipSubscribers: [@Sendable (MembershipEvent) -> Void] = []
    /// Serves `fetchBundle` streams; set by the config agent.
    var bundleServer: (@Sendable (_ environment: String, _ minimumVersion: UInt64, _ have: ContentDigest?) -> BundleReply)?
    /// Serves the cache's stream requests; set by the cache bust agent.
    var cacheServer: CacheStreamServer?
    /// Serves the requests of peer sessions; nil refuses them.
    var peerRequestHandler: PeerRequestHandler?
    var hasLeft = false
    var lastStats = GossipStats()

    public init(settings: Settings, keyring: Keyring?, loop: any EventLoop, metrics: NodeMetrics, logger: Logger) throws {
        self.settings = settings
        self.loop = loop
        self.metrics = metrics
        self.liveKeyring = LiveKeyring(keyring)
        var logger = logger
        logger[metadataKey: "node"] = "\(settings.name)"
        self.logger = logger
        guard var config = GossipConfig(profile: settings.profile) else {
            throw OptionError("unknown gossip profile '\(settings.profile)'")
        }
        // The core's packet budget is for plaintext; the sealed datagram stays within it.
        if keyring != nil { config.maxPacketSize -= Envelope.overhead }
        self.config = config
        var meta: [String: String] = [:]
        if let keyring { meta[MetaKey.keyring] = keyring.digest }
        gossip = try Self.makeCore(settings: settings, port: settings.advertise.port, meta: meta, config: config)
    }

    static func makeCore(settings: Settings, port: Int, meta: [String: String], config: GossipConfig) throws -> GossipNode {
        var random = SystemRandomNumberGenerator()
        let uid = NodeID.freshUID(wallClockNanoseconds: wallClockNanoseconds(), random: &random)
        let now = now()
        return try GossipNode(
            name: settings.name, uid: uid,
            address: NodeAddress(host: settings.advertise.host, port: UInt16(port)),
            tags: settings.tags, meta: meta, config: config,
            now: now, meshClockOffset: .nanoseconds(wallClockNanoseconds() - now.nanoseconds), random: random)
    }

    static func now() -> Instant { Instant(nanoseconds: Int64(NIODeadline.now().uptimeNanoseconds)) }
    static func wallClockNanoseconds() -> Int64 { WallClock.nanoseconds() }
    static func wallClockMillis() -> Int64 { WallClock.millis() }

    // MARK: Starting and stopping

    /// Binds the gossip port, starts the protocol timer and joins through the seeds.
    /// TCP connections from peers live on `connectionLoops` (the gateway's, on a worker), so
    /// that peer sessions stay off this node's loop. Returns the bound port.
    public func start(connectionLoops: (any EventLoopGroup)? = nil) async throws -> Int {
        let transport = try await GossipTransport.bind(
            host: settings.bind.host, port: settings.bind.port, group: loop, connectionGroup: connectionLoops,
            limits: settings.limits,
            onDatagram: { [self] bytes, from in received(datagram: bytes, from: from) },
            onStream: { [self] frame, from in loop.flatSubmit { self.received(stream: frame, from: from) } },
            onRefused: { [self] from, reason in
                loop.execute {
                    self.figures.streamsRefused += 1
                    self.metrics.streamsRefused.increment()
                    self.badPackets.record(source: from.map(Self.hostString) ?? "?", reason: reason, logger: self.logger)
                }
            })
        try await loop.submit {
            self.transport = transport
            if self.settings.advertise.port == 0 {
                // Bound to port 0: advertise the port the system chose.
                self.gossip = try Self.makeCore(
                    settings: self.settings, port: transport.port, meta: self.gossip.localMember.meta, config: self.config)
            }
            self.logger.info("gossip listening", metadata: [
                "bind": "\(self.settings.bind.host):\(transport.port)", "advertise": "\(self.gossip.localMember.address)",
                "encryption": "\(self.keyring == nil ? "off" : "on")", "profile": "\(self.settings.profile)",
            ])
            self.reschedule()
        }.get()
        if !settings.seeds.isEmpty {
            await resolveSeedsAndJoin()
        }
        if settings.seeds.contains(where: \.needsLookup) {
            // Names may list other addresses later (pods come and go behind a headless Service).
            let interval = TimeAmount.seconds(10)
            let task = loop.scheduleRepeatedAsyncTask(initialDelay: interval, delay: interval) { [self] _ in
                loop.makeFutureWithTask { await self.resolveSeedsAndJoin() }
            }
            try await loop.submit { self.seedTask = task }.get()
        }
        return transport.port
    }

    /// Broadcasts the leave, waits (bounded) for it to spread, and closes the sockets.
    public func leave() async {
        let wait = settings.leaveTimeout
        let spread = (try? await loop.submit { () -> Duration in
            guard !self.hasLeft else { return .zero }
            self.hasLeft = true
            self.seedTask?.cancel()
            self.joinRetry?.cancel()
            self.logger.info("leaving the mesh")
            self.run { node, now in node.leave(now: now) }
            let others = self.gossip.members.filter { $0.id != self.gossip.localMember.id && $0.isLive }.count
            // The leave rides on the next gossip rounds; a mesh of one has nobody to tell.
            return others == 0 ? .zero : min(wait, self.config.gossipInterval * 5)
        }.get()) ?? .zero
        if spread > .zero { try? await Task.sleep(for: spread) }
        await stop()
    }

    /// Closes the sockets without telling anyone: other nodes will see a failure.
    public func stop() async {
        let transport = try? await loop.submit { () -> GossipTransport? in
            self.timer?.cancel()
            self.timer = nil
            self.seedTask?.cancel()
            self.joinRetry?.cancel()
            return self.transport
        }.get()
        await transport?.close()
    }

    // MARK: Driving the core

    /// Runs one call into the core and carries out what it returns. Event loop only.
    func run(_ call: (GossipNode, Instant) -> [GossipOutput]) {
        loop.preconditionInEventLoop()
        let outputs = call(gossip, Self.now())
        perform(outputs)
        reschedule()
    }

    func reschedule() {
        let deadline = gossip.nextDeadline
        if deadline == timerDeadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let at = NIODeadline.uptimeNanoseconds(UInt64(max(0, deadline.nanoseconds)))
        timer = loop.scheduleTask(deadline: at) { [self] in
            timer = nil
            timerDeadline = nil
            run { node, now in node.tick(now: now) }
        }
    }

    func perform(_ outputs: [GossipOutput]) {
        for output in outputs {
            switch output {
            case .datagram(let bytes, let to):
                send(datagram: bytes, to: to)
            case .stream(let bytes, let to):
                pushPull(bytes, with: to)
            case .membership(let event):
                observe(event)
            case .rumor(let rumor):
                deliver(rumor)
            }
        }
        syncStats()
    }

    func send(datagram bytes: [UInt8], to address: NodeAddress) {
        guard let transport, let socket = socketAddress(address) else { return }
        let sealed = seal(bytes, channel: .datagram)
        figures.messagesOut += 1
        figures.bytesOut += Int64(sealed.count)
        metrics.messagesOut.increment()
        metrics.bytesOut.increment(by: Int64(sealed.count))
        if logger.logLevel <= .debug {
            logger.debug("datagram out", metadata: ["to": "\(address)", "bytes": "\(sealed.count)"])
        }
        transport.send(sealed, to: socket)
    }

    func received(datagram bytes: [UInt8], from: SocketAddress) {
        loop.preconditionInEventLoop()
        guard let address = Self.nodeAddress(from) else { return }
        guard let plain = open(bytes, channel: .datagram, from: address.host) else { return }
        if logger.logLevel <= .debug {
            logger.debug("datagram in", metadata: ["from": "\(address)", "bytes": "\(bytes.count)"])
        }
        deliverToCore(source: address.host) { node, now in node.receive(datagram: plain, from: address, now: now) }
    }

    /// Feeds opened bytes to the core; bytes it cannot decode are counted and logged (rate-limited).
    func deliverToCore(source: String, _ call: (GossipNode, Instant) -> [GossipOutput]) {
        let undecodable = gossip.stats.decodeErrors
        perform(call(gossip, Self.now()))
        if gossip.stats.decodeErrors > undecodable {
            badPackets.record(source: source, reason: "undecodable gossip message", logger: logger)
        }
        reschedule()
    }

    // MARK: Addresses

    func socketAddress(_ address: NodeAddress) -> SocketAddress? {
        do {
            return try SocketAddress(ipAddress: address.host, port: Int(address.port))
        } catch {
            badPackets.record(source: address.description, reason: "not an IP address", logger: logger)
            return nil
        }
    }

    static func hostString(_ address: SocketAddress) -> String { address.ipAddress ?? "\(address)" }

    static func nodeAddress(_ address: SocketAddress) -> NodeAddress? {
        guard let ip = address.ipAddress, let port = address.port else { return nil }
        return NodeAddress(host: ip, port: UInt16(port))
    }
}

extension SeedSpec {
    var needsLookup: Bool {
        switch self {
        case .dns: return true
        case .address(let hp): return (try? SocketAddress(ipAddress: hp.host, port: hp.port)) == nil
        }
    }
}
