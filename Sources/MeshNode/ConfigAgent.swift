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
        /// A fetch unanswered this long gets a second try beside it, from another holder.
        public var hedgeDelay: Duration = .milliseconds(200)

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
    /// Per environment, the current fetch round: a try's answer from an ended round is ignored.
    var rounds: [String: UInt64] = [:]
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
        rounds[environment, default: 0] &+= 1
        attempt(environment, round: rounds[environment]!, from: sources(for: environment, version: wanted)[...],
                minimum: have + 1, delta: held[environment] != nil)
    }

    /// One try of a fetch round, then (on failure) the next candidate's. A try unanswered
    /// after `hedgeDelay` gets one more beside it, from the next candidate: a lost SYN costs
    /// TCP a second, and the first reply ends the round.
    private func attempt(_ environment: String, round: UInt64, from candidates: ArraySlice<Member>, minimum: UInt64,
                         delta: Bool, hedged: Bool = false) {
        guard rounds[environment] == round else { return }
        guard let source = candidates.first else {
            if !hedged { finish(environment, round: round, retry: true) }
            return
        }
        metrics.fetches.increment()
        let base = delta ? held[environment] : nil
        let request = StreamRequest.fetchBundle(environment: environment, minimumVersion: minimum, have: base?.bundle.header.contentDigest)
        var answered = false
        if !hedged, candidates.count > 1 {
            loop.scheduleTask(in: .nanoseconds(settings.hedgeDelay.nanoseconds)) { [self] in
                if !answered {
                    attempt(environment, round: round, from: candidates.dropFirst(), minimum: minimum, delta: delta, hedged: true)
                }
            }
        }
        node.exchange(request, with: source.address).whenComplete { [self] result in
            answered = true
            guard rounds[environment] == round else { return }
            let arrival: Arrival
            switch result.map(BundleReply.init) {
            case .success(.bundle(let bytes)?):
                metrics.fetchedBytes["full"]?.increment(by: Int64(bytes.count))
                arrival = .bytes(bytes)
            case .success(.delta(let bytes)?) where base != nil:
                metrics.fetchedBytes["delta"]?.increment(by: Int64(bytes.count))
                arrival = .delta(bytes, base: base!)
            case .failure(let error):
                logger.debug("bundle fetch failed", metadata: ["from": "\(source.name)", "error": "\(error)"])
                fallthrough
            default:
                metrics.fetchFailures.increment()
                // A hedge that fails starts nothing: the first try's chain goes on.
                if !hedged { attempt(environment, round: round, from: candidates.dropFirst(), minimum: minimum, delta: delta) }
                return
            }
            take(arrival, environment: environment, from: source.name).whenSuccess { [self] outcome in
                guard rounds[environment] == round else { return }
                switch outcome {
                case .held:
                    finish(environment, round: round, retry: false)
                case .deltaUnusable:
                    logger.debug("a delta did not rebuild; fetching the full bundle", metadata: ["from": "\(source.name)"])
                    attempt(environment, round: round, from: candidates, minimum: minimum, delta: false, hedged: hedged)
                case .refused:
                    metrics.fetchFailures.increment()
                    if !hedged { attempt(environment, round: round, from: candidates.dropFirst(), minimum: minimum, delta: delta) }
                }
            }
        }
    }

    /// Ends a fetch round: on to a newer version heard meanwhile, or a retry later.
    private func finish(_ environment: String, round: UInt64, retry: Bool) {
        guard rounds[environment] == round else { return }
        rounds[environment] = round &+ 1
        fetching.remove(environment)
        if retry { scheduleRetry(environment) } else { fetch(environment) }
    }

    private func scheduleRetry(_ environment: String) {
        guard retry[environment] == nil else { return }
        retry[environment] = loop.scheduleTask(in: settings.retryInterval) { [self] in
            retry[environment] = nil
            fetch(environment)
        }
    }

    /// A bundle as it reached this node, before it is verified.
    enum Arrival {
        case bytes([UInt8])
        /// A delta from the content this node holds.
        case delta([UInt8], base: Held)
        /// Signed here, or parsed already; `decoded` is its content when the caller encoded it.
        case bundle(ConfigBundle, decoded: GatewayConfig?)
    }

    enum Outcome {
        case held(BundleHeader)
        case refused(BundleRejection)
        /// The delta does not rebuild on this node's content: ask for the full bundle.
        case deltaUnusable
    }

    /// Verifies (rebuilding a delta first), applies when it is this node's environment, and
    /// stores a bundle on the work queue, off the event loop, so a large config never stalls
    /// gossip; then holds it on the loop, and with `announce` spreads the rumor. Refusals are
    /// counted and logged once. The future completes on the loop.
    func take(_ arrival: Arrival, environment: String, from source: String, announce: Bool = false) -> EventLoopFuture<Outcome> {
        let promise = loop.makePromise(of: Outcome.self)
        let running = held[environment]?.bundle.header.version
        let checked = held[environment]?.config
        let verifier = verifier(for: environment)
        let apply = environment == settings.environment ? self.apply : nil
        let store = self.store
        let keepsHistory = settings.holdsEveryEnvironment
        work.run { applied in
            let bundle: ConfigBundle, decoded: GatewayConfig?
            do throws(BundleRejection) {
                switch arrival {
                case .bytes(let bytes):
                    (bundle, decoded) = (try ConfigBundle.parse(bytes), nil)
                case .delta(let bytes, let base):
                    do {
                        (bundle, decoded) = try ConfigBundle.rebuild(
                            delta: bytes, base: base.config, baseContent: base.bundle.content,
                            baseDigest: base.bundle.header.contentDigest)
                    } catch {
                        return promise.succeed(.deltaUnusable)
                    }
                case .bundle(let given, let content):
                    (bundle, decoded) = (given, content)
                }
            } catch {
                return promise.futureResult.eventLoop.execute { [self] in
                    refuse(error, version: nil, from: source)
                    promise.succeed(.refused(error))
                }
            }
            let version = bundle.header.version
            let result: Result<(VerifiedBundle, [UInt8]), BundleRejection>
            var storeFailure: String?
            var failure: String?
            do {
                let verified = try verifier.verify(bundle, running: max(running ?? 0, applied[environment] ?? 0), decoded: decoded,
                                                   checkedBefore: checked)
                if let apply {
                    do { try apply(verified) } catch { throw ApplyFailed(reason: "\(error)") }
                }
                applied[environment] = version
                // The bundle's bytes (what peers are served) and both files are made here, not on the loop.
                let bytes = verified.bundle.bytes
                do {
                    try store.saveCurrent(verified.bundle, bytes: bytes)
                    if keepsHistory { try store.appendHistory(verified.bundle, bytes: bytes) }
                } catch {
                    storeFailure = "\(error)"
                }
                result = .success((verified, bytes))
            } catch let rejection as BundleRejection {
                result = .failure(rejection)
            } catch {
                result = .failure(.invalidConfig)
                failure = "\(error)"
            }
            let storeError = storeFailure
            let detail = failure
            promise.futureResult.eventLoop.execute { [self] in
                switch result {
                case .success(let (verified, bytes)):
                    if let storeError {
                        logger.error("could not store the config", metadata: ["error": "\(storeError)"])
                    }
                    commit(verified, bytes: bytes, source: source)
                    if announce {
                        let rumor = ConfigAnnouncement(header: verified.header, origin: node.gossip.localMember.name).rumor
                        node.run { core, now in (try? core.broadcast(rumor, now: now)) ?? [] }
                    }
                    promise.succeed(.held(verified.header))
                case .failure(let rejection):
                    // Refused for its signed content itself: fetching it again elsewhere changes nothing.
                    if rejection == .invalidConfig { unusable[environment] = max(unusable[environment] ?? 0, version) }
                    refuse(rejection, version: version, from: source, detail: detail)
                    promise.succeed(.refused(rejection))
                }
            }
        }
        return promise.futureResult
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

    /// Applies (for this node's environment) and holds a verified bundle at once, on the
    /// loop: for what a node starts with, before it serves gossip.
    func adopt(_ verified: VerifiedBundle, source: String) throws {
        if verified.header.environment == settings.environment, let apply {
            do { try apply(verified) } catch { throw ApplyFailed(reason: "\(error)") }
        }
        commit(verified, bytes: verified.bundle.bytes, source: source)
    }

    /// Makes a verified (and applied, and stored) bundle the one this node holds, and
    /// announces it in meta. Event loop only.
    func commit(_ verified: VerifiedBundle, bytes: [UInt8], source: String) {
        let header = verified.header
        guard header.version > (held[header.environment]?.bundle.header.version ?? 0) else { return }
        held[header.environment] = Held(bundle: verified.bundle, bytes: bytes, config: verified.config)
        deltas = deltas.filter { $0.key.environment != header.environment }
        var versions = recent[header.environment] ?? []
        versions.append((header.contentDigest, verified.config))
        recent[header.environment] = Array(versions.suffix(Self.recentVersions))
        if header.environment == settings.environment {
            appliedAtMillis = NodeShell.wallClockMillis()
            metrics.version.set(Int64(header.version))
            metrics.applied.increment()
        }
        node.updateMeta([MetaKey.config(header.environment): ConfigAnnouncement.meta(header)])
        updateLag()
        onHold?(verified.bundle)
        logger.info("config version held", metadata: [
            "environment": "\(header.environment)", "version": "\(header.version)",
            "digest": "\(header.contentDigest.short)", "from": "\(source)",
        ])
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

/// A serial queue for the heavy part of taking a bundle (decode, verify, apply, store), with
/// the newest version applied per environment, so versions apply in order.
final class ConfigWork: @unchecked Sendable {
    private let queue = DispatchQueue(label: "meshgate.config")
    /// Queue only.
    private var applied: [String: UInt64] = [:]

    func run(_ body: @escaping @Sendable (inout [String: UInt64]) -> Void) {
        queue.async { body(&self.applied) }
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
