import CacheRing
import Gossip
import NIOCore
import Proxy
import Synchronization

/// The node's part of the mesh's one response cache.
///
/// Keys are owned on a ring over the live workers of the environment (`CacheMembership`),
/// each by a primary and a backup. The node answers for the keys it owns from its
/// `ResponseStore`; for any other key it asks the owner (the backup when the primary is
/// suspect), keeps what it gets in its `NearCache` a short while, and when the owners cannot
/// be reached goes to the origin without the cache. On a miss the owner makes the first asker,
/// on any node, the fill's leader and holds the others until the fill ends, so the origin sees
/// one request for all of them. What an owner stores, it copies to the key's backup.
public final class MeshCache: Sendable {
    public let store: ResponseStore
    /// `--cache-size`: the share and the near-cache together.
    public let capacity: Int
    let near: NearCache
    let localName: String
    let settings: Settings
    private let membership: Mutex<CacheMembership>
    private let link = Mutex<(peers: any CachePeers, loop: any EventLoop)?>(nil)
    let handoff: CacheHandoff
    /// Keeps entries too large for a session frame off the wire.
    let peerBodyCap: PeerBodyCap
    /// Carries a request's bust to the other nodes (the node's `CacheBustAgent`).
    private let spread = Mutex<(@Sendable (Invalidation) -> Void)?>(nil)

    /// Where the busts requests make go to reach the other nodes.
    func spreadBusts(through carrier: @escaping @Sendable (Invalidation) -> Void) {
        spread.withLock { $0 = carrier }
    }
    /// Fills of keys this node owns that another node leads, until it reports their end.
    let remoteFills = Mutex<[String: CacheFill]>([:])

    public struct Settings: Sendable {
        /// How long an asker waits for an owner's answer, a fill it waits on included.
        public var askTimeout: TimeAmount = .seconds(3)
        /// Seconds a fill led by another node may take before a new asker leads instead.
        public var remoteFillLease: Int = 30
        /// Seconds an owner's entry is served from the near-cache.
        public var nearLifetime: Int = 2
        /// The largest request or reply about a key sent to a peer: what a session frame carries.
        public var maxPeerBodyBytes = SessionFrame.maxBodyBytes(inFrameOf: StreamLimits().maxSessionFrameBytes)

        public init() {}
    }

    /// - Parameters:
    ///   - capacity: bytes this node's cache holds (`--cache-size`): its share of the keys, and
    ///     the near-cache's part of it (an eighth, at most 32 MiB).
    ///   - name, tags: this node as the mesh sees it (its `env` and `role` tags).
    public init(capacity: Int, name: String, tags: [String: String], settings: Settings = Settings()) {
        self.capacity = capacity
        let nearCapacity = min(capacity / 8, 32 << 20)
        store = ResponseStore(capacity: capacity - nearCapacity)
        near = NearCache(capacity: nearCapacity, lifetime: settings.nearLifetime)
        localName = name
        self.settings = settings
        membership = Mutex(CacheMembership(name: name, tags: tags))
        peerBodyCap = PeerBodyCap(maxBytes: settings.maxPeerBodyBytes)
        handoff = CacheHandoff(store: store, cap: peerBodyCap)
    }

    /// Connects the cache to the other nodes; until then the node holds every key itself.
    /// `loop` runs the background work: handing entries to new owners.
    public func connect(_ peers: any CachePeers, loop: any EventLoop) {
        link.withLock { $0 = (peers, loop) }
    }

    var peers: (any CachePeers)? { link.withLock { $0?.peers } }

    /// A membership event the node concluded; the ring follows the live workers, and the
    /// entries this node holds for new owners are handed to them.
    public func apply(_ event: MembershipEvent) {
        let change = membership.withLock { ring -> (KeyOwnership, KeyOwnership)? in
            let before = ring.ownership
            return ring.apply(event) ? (before, ring.ownership) : nil
        }
        guard let (before, after) = change, let (peers, loop) = link.withLock({ $0 }) else { return }
        handoff.ringChanged(local: localName, before: before, after: after, peers: peers, loop: loop)
    }

    /// Sends the keys this node holds to the owners they get once it has left, waiting at most
    /// until `deadline`; what is left unsent is counted. Called on a graceful leave, once the
    /// gateway has drained.
    public func handOffBeforeLeaving(until deadline: ContinuousClock.Instant) async -> (sent: Int, left: Int) {
        guard let (peers, loop) = link.withLock({ $0 }) else { return (0, 0) }
        let (before, after) = membership.withLock { ring in
            var after = ring.ownership
            after.remove(localName)
            return (ring.ownership, after)
        }
        let sentBefore = handoff.sent
        handoff.ringChanged(local: localName, before: before, after: after, leaving: [localName], peers: peers, loop: loop)
        while handoff.pending > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (handoff.sent - sentBefore, handoff.pending)
    }

    /// The owners of `key`, in the order a reader asks them.
    public func owners(of key: String) -> [String] {
        membership.withLock { $0.readOrder(of: key) }
    }

    /// The owners a request for `key` asks, in order: nil when this node answers it.
    private func remoteOwners(of key: CacheKey) -> (owners: [String], peers: any CachePeers)? {
        guard let peers else { return nil }
        let order = owners(of: key.text)
        guard let first = order.first, first != localName else { return nil }
        return (order, peers)
    }
}

extension MeshCache: ResponseCache {
    public func lookup(_ key: CacheKey, request: FieldList, route: String, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        guard let (owners, peers) = remoteOwners(of: key) else {
            return ownedLookup(key, request: request, now: now, on: loop)
        }
        if let entry = near.lookup(key, request: request, now: now) { return .near(entry) }
        return .ask(ask(owners[...], peers, key: key, request: request, until: .now() + settings.askTimeout, on: loop))
    }

    public func fill(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        guard remoteOwners(of: key) != nil else {
            expireRemoteFill(key.text, now: now)
            return store.fill(key, now: now, on: loop) { [self] entry in replicate(entry) }
        }
        // A stale entry of another owner's key is validated by this request alone; what it
        // gets is kept here a short while, like any entry from an owner.
        return .lead(CacheFill(key: key, ticket: CacheStore.FillTicket(epoch: 0, started: now)) { [near] entry, now in
            if let entry { near.keep(entry, now: now) }
        })
    }

    @discardableResult
    public func refresh(_ key: CacheKey, request: FieldList, response: CacheResponse, freshness: Freshness) -> Bool {
        store.refresh(key, request: request, response: response, freshness: freshness)
    }

    /// A bust a request made (a successful unsafe method): applied here at once, and carried
    /// to every other node as an urgent rumor (`CacheBustAgent.spread`).
    public func bust(_ invalidation: Invalidation, now: WallTime) {
        invalidate(invalidation, now: now)
        spread.withLock { $0 }?(invalidation)
    }

    /// Applies a bust to what this node holds, near-cache included; answers how many stored
    /// variants of its own share went.
    @discardableResult
    public func invalidate(_ invalidation: Invalidation, now: WallTime = .current) -> Int {
        near.invalidate(invalidation, now: now)
        return store.invalidate(invalidation, now: now)
    }

    // MARK: keys this node owns

    /// A lookup of a key this node owns: its store, or a fill coalesced with every asker's,
    /// whose entry is copied to the key's backup once stored.
    func ownedLookup(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        expireRemoteFill(key.text, now: now)
        return store.lookupOrFill(key, request: request, now: now, on: loop) { [self] entry in replicate(entry) }
    }

    /// Copies a stored entry to the key's other owners.
    func replicate(_ entry: StoredEntry) {
        guard let peers, let body = peerBodyCap.fitting(CachePeerRequest.replicate(entry).bytes) else { return }
        for backup in owners(of: entry.key.text) where backup != localName {
            _ = peers.request(body, to: backup, deadline: .now() + settings.askTimeout)
        }
    }

    /// A fill another node led that never ended (it crashed or lost its way): after the lease,
    /// the next asker leads.
    func expireRemoteFill(_ fillKey: String, now: WallTime) {
        let expired = remoteFills.withLock { fills -> CacheFill? in
            guard let fill = fills[fillKey], now - fill.ticket.started > settings.remoteFillLease else { return nil }
            fills[fillKey] = nil
            return fill
        }
        expired?.end(nil, now: now)
    }
}
