import Gossip
import Logging
import ManagerCore
import NIOCore

/// Carries signed config through the mesh for one node.
///
/// A new version is announced as an urgent rumor (`meshgate.config.ENV`: version, digest and
/// the announcing node). A node that hears of a version newer than the one it holds
/// fetches the bundle over the stream port from that node, or from any member whose meta
/// says it holds it; verifies it (`BundleVerifier`); applies it; stores it as its
/// last-known-good; and publishes `config.ENV` in its meta. Meta rides on push-pull, so a
/// node that missed the rumor (a partition, a restart, a late join) catches up on the
/// next exchange. Bundles never travel over UDP.
///
/// Workers hold and apply their own environment's bundles only; the manager holds every
/// environment's. All state belongs to the node's event loop.
public final class ConfigAgent: @unchecked Sendable {
    public struct Settings: Sendable {
        /// This node's environment (its `env` tag).
        public var environment: String
        public var trusted: [TrustedKey]
        /// The manager holds (and serves) every environment's bundles, not only its own.
        public var holdsEveryEnvironment: Bool
        /// How long a node may run an older version than one it heard of before it counts as lagging.
        public var lagThreshold: Duration = .seconds(10)
        /// Between fetch attempts while a newer version cannot be had.
        public var retryInterval: TimeAmount = .seconds(1)

        public init(environment: String, trusted: [TrustedKey], holdsEveryEnvironment: Bool) {
            self.environment = environment
            self.trusted = trusted
            self.holdsEveryEnvironment = holdsEveryEnvironment
        }
    }

    public typealias Applier = @Sendable (VerifiedBundle) throws -> Void

    static let rumorPrefix = "meshgate.config."

    let settings: Settings
    let node: NodeShell
    let store: ConfigStore
    let metrics: ConfigMetrics
    var logger: Logger
    /// Serves the verified config of this node's environment (the gateway's hot swap).
    let apply: Applier?
    /// Told of every bundle this node comes to hold (the manager's version lines).
    var onHold: (@Sendable (ConfigBundle) -> Void)?

    // Event-loop state.
    var held: [String: Held] = [:]
    /// Contents of recent versions by digest, per environment: the bases deltas are made from.
    var recent: [String: [(digest: ContentDigest, config: GatewayConfig)]] = [:]
    var heard: [String: (version: UInt64, from: String?)] = [:]
    var fetching: Set<String> = []
    var retry: [String: Scheduled<Void>] = [:]
    var behindSince: NIODeadline?
    /// Wall-clock milliseconds when this node's own environment's version was last applied.
    var appliedAtMillis: Int64?
    var refusalsLogged: Set<String> = []
    /// Per environment, the newest version refused for its signed content itself (a config the
    /// gateway cannot apply): fetching it again from another peer would change nothing.
    var unusable: [String: UInt64] = [:]
    /// Deltas made for the versions held now, by the base they start from (nil: none possible).
    var deltas: [DeltaKey: [UInt8]?] = [:]

    init(settings: Settings, node: NodeShell, store: ConfigStore, metrics: ConfigMetrics, apply: Applier?) {
        self.settings = settings
        self.node = node
        self.store = store
        self.metrics = metrics
        self.apply = apply
        var logger = node.logger
        logger[metadataKey: "part"] = "config"
        self.logger = logger
    }

    var loop: any EventLoop { node.loop }

    /// The version of this node's environment it serves (nil: none yet).
    var running: BundleHeader? { held[settings.environment]?.bundle.header }

    /// Loads the last-known-good bundle (served before any peer is reached), then listens
    /// for announcements, meta and fetch requests.
    func start() async throws {
        try await loop.submit {
            if let bytes = self.store.loadCurrent(environment: self.settings.environment) {
                do {
                    let verified = try self.verifier(for: self.settings.environment).verify(bytes, running: nil)
                    try self.hold(verified, source: "last-known-good")
                } catch {
                    self.logger.error("the stored last-known-good config is not usable; waiting for the mesh", metadata: [
                        "path": "\(self.store.currentPath(environment: self.settings.environment))", "error": "\(error)",
                    ])
                }
            }
            self.node.bundleServer = { [self] environment, minimum, have in serve(environment, minimum: minimum, have: have) }
            self.node.subscribe(prefix: Self.rumorPrefix) { [self] rumor in announced(rumor) }
            self.node.subscribeMembership { [self] event in observed(event.member) }
        }.get()
    }

    // MARK: Hearing of versions

    func relevant(_ environment: String) -> Bool {
        settings.holdsEveryEnvironment || environment == settings.environment
    }

    func announced(_ rumor: Rumor) {
        guard let announcement = ConfigAnnouncement(rumor) else { return }
        heard(environment: announcement.environment, version: announcement.version, from: announcement.origin)
    }

    func observed(_ member: Member) {
        guard member.id != node.gossip.localMember.id, member.state == .alive else { return }
        for (key, value) in member.meta where key.hasPrefix(MetaKey.configPrefix) {
            let environment = String(key.dropFirst(MetaKey.configPrefix.count))
            guard let version = ConfigAnnouncement.version(fromMeta: value) else { continue }
            heard(environment: environment, version: version, from: member.name)
        }
    }

    func heard(environment: String, version: UInt64, from origin: String?) {
        guard relevant(environment), version > (held[environment]?.bundle.header.version ?? 0) else { return }
        if version > (heard[environment]?.version ?? 0) {
            heard[environment] = (version, origin)
            logger.debug("heard of a newer config", metadata: ["environment": "\(environment)", "version": "\(version)"])
        }
        updateLag()
        fetch(environment)
    }

    /// The newest version of `environment` this node knows of, held or heard.
    func newest(_ environment: String) -> UInt64 {
        max(held[environment]?.bundle.header.version ?? 0, heard[environment]?.version ?? 0)
    }

    // MARK: Fetching

    /// Members to ask for `environment`'s newest version: the node it was heard from first,
    /// then every alive member whose meta says it holds it.
    func sources(for environment: String, version: UInt64) -> [Member] {
        let me = node.gossip.localMember.id
        let alive = node.gossip.members.filter { $0.id != me && $0.state == .alive }
        let origin = heard[environment]?.from
        let holders = alive.filter { member in
            member.name == origin
                || (member.meta[MetaKey.config(environment)].flatMap(ConfigAnnouncement.version(fromMeta:)) ?? 0) >= version
        }
        return holders.sorted { a, _ in a.name == origin }
    }

    func fetch(_ environment: String) {
        guard !fetching.contains(environment) else { return }
        let wanted = newest(environment)
        let have = held[environment]?.bundle.header.version ?? 0
        guard wanted > max(have, unusable[environment] ?? 0) else { return }
        fetching.insert(environment)
        attempt(environment, from: sources(for: environment, version: wanted)[...], minimum: have + 1,
                delta: held[environment] != nil)
    }

    private func attempt(_ environment: String, from candidates: ArraySlice<Member>, minimum: UInt64, delta: Bool) {
        guard let source = candidates.first else {
            fetching.remove(environment)
            scheduleRetry(environment)
            return
        }
        metrics.fetches.increment()
        let base = delta ? held[environment] : nil
        let request = StreamRequest.fetchBundle(environment: environment, minimumVersion: minimum, have: base?.config.digest)
        node.exchange(request, with: source.address)
            .whenComplete { [self] result in
                var accepted = false
                switch result {
                case .success(let reply):
                    switch BundleReply(reply) {
                    case .bundle(let bytes):
                        metrics.fetchedBytes["full"]?.increment(by: Int64(bytes.count))
                        accepted = receive(bytes, environment: environment, from: source.name)
                    case .delta(let bytes):
                        metrics.fetchedBytes["delta"]?.increment(by: Int64(bytes.count))
                        if let base {
                            do {
                                let rebuilt = try ConfigBundle.rebuild(
                                    delta: bytes, base: base.config, baseDigest: base.bundle.header.contentDigest)
                                accepted = receive(rebuilt.bundle, decoded: rebuilt.config, environment: environment,
                                                   from: source.name)
                            } catch {
                                logger.debug("a delta did not rebuild; fetching the full bundle", metadata: ["from": "\(source.name)"])
                                return attempt(environment, from: candidates, minimum: minimum, delta: false)
                            }
                        }
                    case .notHeld, nil:
                        break
                    }
                case .failure(let error):
                    logger.debug("bundle fetch failed", metadata: ["from": "\(source.name)", "error": "\(error)"])
                }
                if accepted {
                    fetching.remove(environment)
                    fetch(environment)
                } else {
                    metrics.fetchFailures.increment()
                    attempt(environment, from: candidates.dropFirst(), minimum: minimum, delta: delta)
                }
            }
    }

    private func scheduleRetry(_ environment: String) {
        guard retry[environment] == nil else { return }
        retry[environment] = loop.scheduleTask(in: settings.retryInterval) { [self] in
            retry[environment] = nil
            fetch(environment)
        }
    }

    /// Verifies and takes a fetched or imported bundle; false (counted, logged once) when refused.
    @discardableResult
    func receive(_ bytes: [UInt8], environment: String, from source: String) -> Bool {
        do {
            return receive(try ConfigBundle.parse(bytes), decoded: nil, environment: environment, from: source)
        } catch {
            refuse(error, version: nil, from: source)
            return false
        }
    }

    func receive(_ bundle: ConfigBundle, decoded: GatewayConfig?, environment: String, from source: String) -> Bool {
        let version = bundle.header.version
        do {
            let verified = try verifier(for: environment).verify(
                bundle, running: held[environment]?.bundle.header.version, decoded: decoded)
            try hold(verified, source: source)
            return true
        } catch let rejection as BundleRejection {
            if rejection == .invalidConfig { unusable[environment] = max(unusable[environment] ?? 0, version) }
            refuse(rejection, version: version, from: source)
        } catch {
            unusable[environment] = max(unusable[environment] ?? 0, version)
            refuse(.invalidConfig, version: version, from: source, detail: "\(error)")
        }
        return false
    }

    func refuse(_ reason: BundleRejection, version: UInt64?, from source: String, detail: String? = nil) {
        metrics.rejected[reason]?.increment()
        // One line per reason and version: a peer offering the same bad bundle again stays quiet.
        guard refusalsLogged.insert("\(reason.rawValue)/\(version.map(String.init) ?? "?")").inserted else { return }
        var fields: Logger.Metadata = ["reason": "\(reason.rawValue)", "from": "\(source)",
                                       "running": "\(running?.version ?? 0)"]
        if let version { fields["version"] = "\(version)" }
        if let detail { fields["error"] = "\(detail)" }
        logger.warning("config bundle refused (\(reason)); the running config keeps serving", metadata: fields)
    }

    func verifier(for environment: String) -> BundleVerifier {
        BundleVerifier(trusted: settings.trusted, environment: environment)
    }

    // MARK: Holding

    /// Applies (own environment), stores and announces in meta a verified bundle.
    func hold(_ verified: VerifiedBundle, source: String) throws {
        let header = verified.header
        if header.environment == settings.environment, let apply {
            do { try apply(verified) } catch {
                throw ApplyFailed(reason: "\(error)")
            }
        }
        held[header.environment] = Held(bundle: verified.bundle, bytes: verified.bundle.bytes, config: verified.config)
        deltas = deltas.filter { $0.key.environment != header.environment }
        var versions = recent[header.environment] ?? []
        versions.append((header.contentDigest, verified.config))
        recent[header.environment] = Array(versions.suffix(Self.recentVersions))
        do { try store.saveCurrent(verified.bundle) } catch {
            logger.error("could not store the config as last-known-good", metadata: ["error": "\(error)"])
        }
        var meta: [String: String?] = [MetaKey.config(header.environment): ConfigAnnouncement.meta(header)]
        if header.environment == settings.environment {
            meta[MetaKey.configVersion] = String(header.version)
            appliedAtMillis = NodeShell.wallClockMillis()
            metrics.version.set(Int64(header.version))
            metrics.applied.increment()
        }
        node.updateMeta(meta)
        updateLag()
        onHold?(verified.bundle)
        logger.info("config version held", metadata: [
            "environment": "\(header.environment)", "version": "\(header.version)",
            "digest": "\(header.contentDigest.short)", "from": "\(source)",
        ])
    }

    /// Holds a bundle this node signed or was handed, and announces it to the mesh.
    func publish(_ verified: VerifiedBundle, source: String) throws {
        try hold(verified, source: source)
        let rumor = ConfigAnnouncement(header: verified.header, origin: node.gossip.localMember.name).rumor
        node.run { core, now in (try? core.broadcast(rumor, now: now)) ?? [] }
    }

    /// How many recent versions' contents a node keeps to answer with deltas.
    static let recentVersions = 4

    /// Answers a `fetchBundle`: a delta when the asker runs a recent version, else the bundle.
    func serve(_ environment: String, minimum: UInt64, have: ContentDigest?) -> BundleReply {
        guard let entry = held[environment], entry.bundle.header.version >= minimum else { return .notHeld }
        guard let have, let base = recent[environment]?.last(where: { $0.digest == have })?.config else {
            return .bundle(entry.bytes)
        }
        // Every worker on the same version asks for the same delta: made once, served to all.
        let key = DeltaKey(environment: environment, version: entry.bundle.header.version, base: have)
        if let cached = deltas[key] { return cached.map(BundleReply.delta) ?? .bundle(entry.bytes) }
        let delta = entry.bundle.delta(from: base, baseDigest: have, target: entry.config).flatMap {
            $0.count < entry.bytes.count ? $0 : nil
        }
        deltas[key] = delta
        return delta.map(BundleReply.delta) ?? .bundle(entry.bytes)
    }

    func updateLag() {
        let environment = settings.environment
        let behind = newest(environment) > (running?.version ?? 0)
        if !behind {
            behindSince = nil
        } else if behindSince == nil {
            behindSince = .now()
            let threshold = TimeAmount.nanoseconds(settings.lagThreshold.nanoseconds)
            loop.scheduleTask(in: threshold) { [self] in updateLag() }
        }
        let lagging = behindSince.map { NIODeadline.now() - $0 >= .nanoseconds(settings.lagThreshold.nanoseconds) } ?? false
        metrics.lagging.set(Int64(lagging ? 1 : 0))
    }

    /// The node's config state for the admin API. Event loop only.
    var state: ConfigAPI.StateAnswer {
        let lagging = behindSince.map { NIODeadline.now() - $0 >= .nanoseconds(settings.lagThreshold.nanoseconds) } ?? false
        return ConfigAPI.StateAnswer(
            environment: settings.environment, version: running?.version, digest: running?.contentDigest.hex,
            createdAtMillis: running?.createdAtMillis, appliedAtMillis: appliedAtMillis,
            newest: newest(settings.environment), lagging: lagging)
    }
}

struct DeltaKey: Hashable {
    let environment: String
    let version: UInt64
    let base: ContentDigest
}

struct Held {
    let bundle: ConfigBundle
    let bytes: [UInt8]
    let config: GatewayConfig
}

struct ApplyFailed: Error, CustomStringConvertible {
    let reason: String
    var description: String { "the gateway could not apply it: \(reason)" }
}
