import Dispatch
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
        /// A fetch unanswered this long gets another try beside it, from another holder.
        public var hedgeDelay: Duration = .milliseconds(200)
        /// Tries a fetch round may start beside unanswered ones, one every `hedgeDelay`.
        public var hedges = 2

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
    /// Per environment, the open fetch round (none: not fetching); a try's answer from an
    /// ended round is ignored.
    var rounds: [String: FetchRound] = [:]
    var roundsStarted: UInt64 = 0
    var retry: [String: Scheduled<Void>] = [:]
    var behindSince: NIODeadline?
    /// Wall-clock milliseconds when this node's own environment's version was last applied.
    var appliedAtMillis: Int64?
    var refusalsLogged: Set<String> = []
    /// Per environment, the newest version refused for its signed content itself (a config the
    /// gateway cannot apply): fetching it again from another peer would change nothing.
    var unusable: [String: UInt64] = [:]
    /// Where bundles are verified, applied and stored, off the event loop.
    let work = ConfigWork()
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
                    try self.adopt(verified, source: "last-known-good")
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
}
