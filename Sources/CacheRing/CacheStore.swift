/// A node's share of the response cache: entries bounded in bytes, evicted by S3-FIFO,
/// invalidated by key, resource, prefix, path, tag, route or all.
///
/// Every bust starts a new epoch. A fill takes a `FillTicket` before it asks the origin; when
/// it completes, a bust since the ticket's epoch that selects the entry refuses it, so content
/// fetched before a bust is never written back after it. Busts are remembered for
/// `fillWindow` seconds, and a fill older than that is refused.
///
/// A value owned by one thread or actor at a time.
public struct CacheStore {
    public let capacity: Int
    public let fillWindow: Int
    public private(set) var bytes = 0
    /// Stored variants.
    public private(set) var count = 0
    public private(set) var stats = CacheStoreStats()
    public private(set) var epoch: UInt64 = 0
    /// By route id, kept as entries come and go (no walk of the store), from a route's first
    /// stored entry on.
    public private(set) var routes: [String: RouteShare] = [:]

    private var entries: [StoredEntry?] = []
    private var sizes: [Int] = []
    /// The `StableHash` of each slot's key resource, so removals hash no strings.
    private var keyHashes: [UInt64] = []
    private var freeSlots: [Int] = []
    /// Slots by the hash of their key's resource: the variants of every key of one URL, and any
    /// whose hash collides.
    private var slotsByKeyHash: [UInt64: [Int]] = [:]
    private var policy: S3FIFO
    private var busts: [(epoch: UInt64, invalidation: Invalidation, at: WallTime)] = []

    /// - Parameters:
    ///   - capacity: bytes (`--cache-size`).
    ///   - fillWindow: seconds a fill may take, from its ticket to its store.
    public init(capacity: Int, fillWindow: Int = 300) {
        self.capacity = capacity
        self.fillWindow = fillWindow
        policy = S3FIFO(capacity: capacity)
    }

    public struct FillTicket: Sendable, Equatable {
        public let epoch: UInt64
        public let started: WallTime

        /// A ticket as the key owner's store gave it, carried by a fill another node leads.
        public init(epoch: UInt64, started: WallTime) {
            self.epoch = epoch
            self.started = started
        }
    }

    public enum FillOutcome: Sendable, Equatable {
        case stored
        /// A bust after the ticket selected this entry.
        case bustedDuringFill
        /// The fill took longer than `fillWindow`.
        case ticketExpired
        /// Larger than the whole store.
        case tooLarge
    }

    /// Taken before the request goes to the origin.
    public func beginFill(now: WallTime) -> FillTicket {
        FillTicket(epoch: epoch, started: now)
    }

    /// Stores an entry another node fetched (a copy from its owner, a handoff): refused when a
    /// bust remembered here selects it and came no earlier than the entry's response arrived
    /// at that node, so content from before a bust does not come back through a peer either.
    /// Wall clocks of nodes are compared to the second; a tie refuses.
    @discardableResult
    public mutating func completeCopy(of entry: StoredEntry, now: WallTime) -> FillOutcome {
        forgetBusts(before: now)
        if busts.contains(where: { $0.at >= entry.freshness.responseTime && $0.invalidation.matches(entry) }) {
            stats.refusedFills += 1
            return .bustedDuringFill
        }
        return complete(beginFill(now: now), with: entry, now: now)
    }

    /// Stores `entry`, replacing the variant stored under the same key, and evicts until the
    /// store fits its bound again.
    @discardableResult
    public mutating func complete(_ ticket: FillTicket, with entry: StoredEntry, now: WallTime) -> FillOutcome {
        forgetBusts(before: now)
        guard now - ticket.started <= fillWindow else { return .ticketExpired }
        if busts.contains(where: { $0.epoch > ticket.epoch && $0.invalidation.matches(entry) }) {
            stats.refusedFills += 1
            return .bustedDuringFill
        }
        let size = entry.size
        guard size <= capacity else { return .tooLarge }
        let keyHash = StableHash.hash(entry.key.resource.utf8)
        if let old = slotsByKeyHash[keyHash]?.first(where: { entries[$0]?.variant == entry.variant }) {
            drop(old)
        }
        let slot = freeSlots.popLast() ?? entries.count
        if slot == entries.count {
            entries.append(entry)
            sizes.append(size)
            keyHashes.append(keyHash)
        } else {
            entries[slot] = entry
            sizes[slot] = size
            keyHashes[slot] = keyHash
        }
        slotsByKeyHash[keyHash, default: []].append(slot)
        bytes += size
        count += 1
        routes[entry.route, default: RouteShare()].entries += 1
        routes[entry.route, default: RouteShare()].bytes += size
        stats.stored += 1
        policy.inserted(slot, size: size, keyHash: StableHash.hash(entry.variant))
        while bytes > capacity, let victim = policy.victim() {
            if let route = remove(victim) { routes[route]?.evicted += 1 }
            stats.evicted += 1
        }
        return .stored
    }

    /// The variant of `key` that matches the request's fields, counted as a hit or a miss.
    public mutating func lookup(_ key: CacheKey, request: FieldList) -> StoredEntry? {
        guard let slot = variantSlot(key, request: request), let entry = entries[slot] else {
            stats.misses += 1
            return nil
        }
        stats.hits += 1
        policy.accessed(slot)
        return entry
    }

    /// A stored variant refreshed by a 304 (RFC 9111 §4.3.4): its new head and freshness.
    /// False when it is no longer stored.
    @discardableResult
    public mutating func refresh(_ key: CacheKey, request: FieldList, response: CacheResponse, freshness: Freshness) -> Bool {
        guard let slot = variantSlot(key, request: request), var entry = entries[slot] else { return false }
        entry.response = response
        entry.freshness = freshness
        let size = entry.size
        bytes += size - sizes[slot]
        routes[entry.route]?.bytes += size - sizes[slot]
        sizes[slot] = size
        entries[slot] = entry
        return true
    }

    /// Drops what `invalidation` selects and starts a new epoch; answers how many variants went.
    @discardableResult
    public mutating func invalidate(_ invalidation: Invalidation, now: WallTime) -> Int {
        forgetBusts(before: now)
        epoch += 1
        busts.append((epoch, invalidation, now))
        let before = count
        switch invalidation {
        case .all:
            entries.removeAll()
            sizes.removeAll()
            keyHashes.removeAll()
            freeSlots.removeAll()
            slotsByKeyHash.removeAll()
            for route in routes.keys {
                routes[route]!.invalidated += routes[route]!.entries
                (routes[route]!.entries, routes[route]!.bytes) = (0, 0)
            }
            bytes = 0
            count = 0
            policy = S3FIFO(capacity: capacity)
        case .key(let text):
            for slot in slotsByKeyHash[StableHash.hash(CacheKey.resource(of: text).utf8)] ?? []
            where entries[slot]?.key.text == text {
                bust(slot)
            }
        case .resource(let resource):
            for slot in slotsByKeyHash[StableHash.hash(resource)] ?? [] where entries[slot]?.key.resource == resource[...] {
                bust(slot)
            }
        case .prefix, .path, .tag, .route:
            for slot in entries.indices {
                if let entry = entries[slot], invalidation.matches(entry) { bust(slot) }
            }
        }
        stats.invalidated += before - count
        return before - count
    }

    /// The primary key text of every stored entry, each once.
    public func keyTexts() -> [String] {
        var seen = Set<String>()
        return entries.compactMap { entry in
            guard let text = entry?.key.text, seen.insert(text).inserted else { return nil }
            return text
        }
    }

    /// Every stored variant of a primary key, without counting a hit.
    public func variants(of keyText: String) -> [StoredEntry] {
        (slotsByKeyHash[StableHash.hash(CacheKey.resource(of: keyText).utf8)] ?? []).compactMap { slot in
            entries[slot].flatMap { $0.key.text == keyText ? $0 : nil }
        }
    }

    private func variantSlot(_ key: CacheKey, request: FieldList) -> Int? {
        slotsByKeyHash[StableHash.hash(key.resource.utf8)]?.first { slot in
            guard let entry = entries[slot], entry.key.text == key.text else { return false }
            return VaryKey.variant(of: key.text, names: entry.varyNames, request: request) == entry.variant
        }
    }

    /// Removes a slot a bust selected.
    private mutating func bust(_ slot: Int) {
        if let route = drop(slot) { routes[route]?.invalidated += 1 }
    }

    /// Removes a slot the eviction policy did not choose; answers its entry's route.
    @discardableResult
    private mutating func drop(_ slot: Int) -> String? {
        policy.removed(slot)
        return remove(slot)
    }

    /// Answers the removed entry's route; nil when the slot was empty.
    private mutating func remove(_ slot: Int) -> String? {
        guard let entry = entries[slot] else { return nil }
        entries[slot] = nil
        freeSlots.append(slot)
        bytes -= sizes[slot]
        count -= 1
        routes[entry.route]?.entries -= 1
        routes[entry.route]?.bytes -= sizes[slot]
        let keyHash = keyHashes[slot]
        if slotsByKeyHash[keyHash] == [slot] {
            slotsByKeyHash[keyHash] = nil
        } else {
            slotsByKeyHash[keyHash]?.removeAll { $0 == slot }
        }
        return entry.route
    }

    private mutating func forgetBusts(before now: WallTime) {
        busts.removeAll { now - $0.at > fillWindow }
    }
}

/// Counters since the store was made.
public struct CacheStoreStats: Sendable, Equatable {
    public var hits = 0
    public var misses = 0
    public var stored = 0
    public var evicted = 0
    public var invalidated = 0
    /// Fills refused because a bust selected them while they were in flight.
    public var refusedFills = 0

    public init() {}
}
