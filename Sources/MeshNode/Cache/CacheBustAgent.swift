import CacheRing
import Dispatch
import Gossip
import Logging
import NIOCore
import Proxy

/// Carries cache busts through one environment for one node (docs/cache.md, "Invalidation").
///
/// A bust made here (`POST /v1/cache/bust`) is applied locally, spread as an urgent rumor of
/// its own, and sent directly to every alive worker of the environment over the stream port,
/// each of which answers with an acknowledgement. Every node applies each bust once
/// (`BustLedger`). A node that missed busts catches up from a peer: when a member joins or
/// refutes a suspicion, and every push-pull interval with one random member. When the peer's
/// log no longer holds what it missed, the node busts everything.
///
/// A node without a gateway (a manager) holds no cache: it keeps the ledger, serves catch-ups
/// and may make busts, and removes nothing. All state belongs to the node's event loop; the
/// store's work runs on a serial queue, so a large bust never stalls gossip.
public final class CacheBustAgent: @unchecked Sendable {
    public struct Settings: Sendable {
        public var environment: String
        /// Busts kept for peers that missed them.
        public var logCapacity = 1024
        /// Catch-ups running at once; more membership changes at once wait for the periodic one.
        public var maxSyncsInFlight = 4

        public init(environment: String) { self.environment = environment }
    }

    let settings: Settings
    let node: NodeShell
    let cache: MeshCache?
    let metrics: BustMetrics
    /// What the gateway's cache did for each route's requests (`Gateway.cacheOutcomes`).
    let outcomes: @Sendable () -> [String: CacheOutcomes]
    var logger: Logger
    private let work = DispatchQueue(label: "meshgate.cache.bust")

    // Event-loop state.
    var ledger: BustLedger
    /// A catch-up has completed since start.
    var synced = false
    var syncsInFlight = 0
    var syncTask: RepeatedTask?
    /// Processes this node saw fail or leave, while Gossip keeps their tombstones: one that
    /// comes back was cut off from this side and may have applied busts there.
    var gone: [NodeID: NIODeadline] = [:]
    /// What each recent bust removed here, so a repeat (the rumor came first) acknowledges the
    /// same count; as many as the log holds.
    var removals: [BustID: Int] = [:]
    var removalOrder: [BustID] = []

    init(settings: Settings, node: NodeShell, cache: MeshCache?, metrics: BustMetrics,
         outcomes: @escaping @Sendable () -> [String: CacheOutcomes] = { [:] }) {
        self.settings = settings
        self.node = node
        self.cache = cache
        self.metrics = metrics
        self.outcomes = outcomes
        ledger = BustLedger(capacity: settings.logCapacity)
        var logger = node.logger
        logger[metadataKey: "part"] = "cache"
        self.logger = logger
    }

    var loop: any EventLoop { node.loop }

    /// This process's name as the origin of busts: `NAME#UID`.
    var origin: String {
        let me = node.gossip.localMember
        return "\(me.name)#\(String(me.id.uid, radix: 16))"
    }

    func start() async throws {
        try await loop.submit { [self] in
            node.cacheServer = CacheStreamServer(answer: { [self] request, source in answer(request, source: source) })
            node.subscribe(prefix: CacheBust.rumorPrefix(environment: settings.environment)) { [self] rumor in heard(rumor) }
            node.subscribeMembership { [self] event in observed(event) }
            let interval = TimeAmount.nanoseconds(node.config.pushPullInterval.nanoseconds)
            syncTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in syncWithSomeone() }
        }.get()
    }

    // MARK: Applying

    /// Applies a bust unless it was applied already; the ack completes once the store is done,
    /// on the loop. Event loop only.
    func apply(_ bust: CacheBust, source: String) -> EventLoopFuture<BustAck> {
        if source != "local" { metrics.received.increment() }
        guard bust.environment == settings.environment else {
            return loop.makeSucceededFuture(BustAck(outcome: .otherEnvironment, removed: 0))
        }
        guard ledger.admit(bust) else {
            // After any store work still queued, so an ack always means "gone here".
            return afterQueuedWork().map { [self] in BustAck(outcome: .alreadyApplied, removed: removals[bust.id] ?? 0) }
        }
        metrics.applied.increment()
        logger.debug("cache bust applied", metadata: ["bust": "\(bust.id)", "what": "\(bust.invalidation)", "from": "\(source)"])
        return invalidate(bust.invalidation).map { [self] removed in
            remember(removed, for: bust.id)
            return BustAck(outcome: .applied, removed: removed)
        }
    }

    private func remember(_ removed: Int, for id: BustID) {
        removals[id] = removed
        removalOrder.append(id)
        if removalOrder.count > settings.logCapacity {
            removals[removalOrder.removeFirst()] = nil
        }
    }

    /// Drops what `invalidation` selects from the store, off the loop; answers how many went.
    func invalidate(_ invalidation: Invalidation) -> EventLoopFuture<Int> {
        let promise = loop.makePromise(of: Int.self)
        work.async { [cache] in promise.succeed(cache?.invalidate(invalidation) ?? 0) }
        return promise.futureResult.map { [self] removed in
            metrics.removed.increment(by: Int64(removed))
            return removed
        }
    }

    private func afterQueuedWork() -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        work.async { promise.succeed(()) }
        return promise.futureResult
    }

    func heard(_ rumor: Rumor) {
        guard let bust = CacheBust(rumor: rumor) else {
            malformed(source: "gossip", reason: "malformed cache bust rumor")
            return
        }
        _ = apply(bust, source: "gossip")
    }

    func malformed(source: String, reason: String) {
        metrics.malformed.increment()
        node.badPackets.record(source: source, reason: reason, logger: logger)
    }

    // MARK: Stream requests

    func answer(_ request: StreamRequest, source: String) -> EventLoopFuture<[UInt8]> {
        switch request {
        case .bust(let bust):
            return apply(bust, source: source).map(\.bytes)
        case .bustSync(let sync):
            return loop.makeSucceededFuture(serveSync(sync))
        case .cacheStats:
            return loop.makeSucceededFuture(figures.encoded)
        case .pushPull, .fetchBundle, .openSession:
            // The node serves these itself and never hands them here; an empty reply closes the stream.
            return loop.makeSucceededFuture([])
        }
    }

    // MARK: Catching up

    /// Catch-ups on membership news: with every member that joins until this node has caught
    /// up once, with a member that comes back from the dead or refutes a suspicion (it was cut
    /// off, and may hold busts this side missed). Not with every new process once caught up:
    /// a process that started after this node holds no bust this node lacks beyond what the
    /// rumors and the periodic catch-up bring, and asking each joiner makes a mass start of N
    /// nodes N² exchanges.
    func observed(_ event: MembershipEvent) {
        switch event {
        case .joined(let member):
            let returning = gone.removeValue(forKey: member.id) != nil
            if isPeer(member), returning || !synced { sync(with: member) }
        case .refuted(let member):
            if isPeer(member) { sync(with: member) }
        case .failed(let member), .left(let member):
            gone[member.id] = .now()
        default:
            break
        }
    }

    /// Alive members of this environment, this node aside.
    func peers() -> [Member] {
        node.gossip.members.filter { isPeer($0) && $0.state == .alive }
    }

    func isPeer(_ member: Member) -> Bool {
        member.id != node.gossip.localMember.id && (member.tags["env"] ?? "default") == settings.environment
    }

    func syncWithSomeone() {
        if let member = peers().randomElement() { sync(with: member) }
        let forgotten = NIODeadline.now() - .nanoseconds(node.config.tombstoneTimeout.nanoseconds)
        gone = gone.filter { $0.value > forgotten }
    }

    /// Asks `member` for the busts this node has not applied, and applies them.
    func sync(with member: Member) {
        guard syncsInFlight < settings.maxSyncsInFlight else { return }
        syncsInFlight += 1
        let request = BustSyncRequest(environment: settings.environment, asker: node.gossip.localMember.name, heads: ledger.heads)
        node.exchange(.bustSync(request), with: member.address).whenComplete { [self] result in
            syncsInFlight -= 1
            switch result {
            case .success(let bytes):
                guard let reply = BustSyncReply(bytes: bytes) else {
                    return malformed(source: member.name, reason: "malformed bust catch-up reply")
                }
                caughtUp(reply, from: member.name)
            case .failure(let error):
                logger.debug("bust catch-up failed", metadata: ["with": "\(member.name)", "error": "\(error)"])
            }
        }
    }

    /// Applies what a peer's log held that this node missed; when the peer has applied busts
    /// this node can no longer get, busts everything (a node that has held nothing since it
    /// started just takes the peer's vector: there is nothing to bust).
    func caughtUp(_ reply: BustSyncReply, from peer: String) {
        let replayed = reply.busts.filter { $0.environment == settings.environment && !ledger.hasApplied($0.id) }
        for bust in replayed { _ = apply(bust, source: peer) }
        if !replayed.isEmpty {
            metrics.catchUps["replayed"]?.increment()
            logger.info("applied busts this node had missed", metadata: [
                "from": "\(peer)", "busts": "\(replayed.count)",
            ])
        }
        let lost = ledger.behind(reply.heads)
        defer { synced = true }
        guard !lost.isEmpty else { return }
        ledger.adopt(reply.heads)
        let holdsNothing = cache.map { !synced && $0.store.figures.entries == 0 } ?? true
        if holdsNothing {
            logger.debug("took a peer's bust vector; nothing stored here to bust", metadata: ["from": "\(peer)"])
            return
        }
        ledger.countCatchUp()
        metrics.catchUps["all"]?.increment()
        invalidate(.all).whenSuccess { [self] removed in
            logger.notice("missed busts that no peer logs any more: busted this node's whole cache", metadata: [
                "from": "\(peer)", "origins": "\(lost.joined(separator: ","))", "removed": "\(removed)",
            ])
        }
    }

    /// Answers a peer's catch-up; when the peer has applied busts this node has not, asks it back.
    func serveSync(_ request: BustSyncRequest) -> [UInt8] {
        guard request.environment == settings.environment else { return BustSyncReply(heads: [:], busts: []).bytes }
        let missing = ledger.missing(for: request.heads)
        if !ledger.behind(request.heads).isEmpty, let asker = peers().first(where: { $0.name == request.asker }) {
            sync(with: asker)
        }
        return BustSyncReply(heads: ledger.heads, busts: Array(missing.suffix(BustVector.maxEntries))).bytes
    }

    // MARK: Figures

    /// This node's cache figures. Event loop only.
    var figures: CacheFigures {
        var figures = CacheFigures(node: node.gossip.localMember.name, holdsCache: cache != nil)
        if let cache {
            figures.store = cache.store.figures
            figures.store.capacity = cache.capacity
            figures.outcomes = outcomes()
        }
        figures.bustsApplied = ledger.applied
        return figures
    }
}
