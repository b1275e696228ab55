import CacheRing
import NIOCore
import Synchronization

/// This node's share of the response cache, shared by every event loop: a `CacheStore`
/// behind a lock, and the fills in flight for its keys (`FillCoalescer`).
///
/// Every operation holds the lock for a lookup, an insert or one bust; bodies are never
/// copied under it.
public final class ResponseStore: Sendable {
    /// A fill's outcome, handed to the requests that waited for it: the stored entry, or nil
    /// when the response was not stored (they then go to the origin themselves).
    public typealias Waiter = @Sendable (StoredEntry?) -> Void

    private struct State {
        var store: CacheStore
        var fills = FillCoalescer<Waiter>()
    }

    private let state: Mutex<State>
    public let capacity: Int

    /// - Parameter capacity: bytes (`--cache-size`).
    public init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(store: CacheStore(capacity: capacity)))
    }

    /// The variant of `key` that matches the request's fields, counted as a hit or a miss.
    public func lookup(_ key: CacheKey, request: FieldList) -> StoredEntry? {
        state.withLock { $0.store.lookup(key, request: request) }
    }

    /// Joins the fill of `variant` (the key plus the request's `Vary` values, or the key's
    /// text): `.lead` takes a ticket and goes to the origin, `.wait` is answered through
    /// `waiter` when the leader finishes.
    public func joinFill(_ fillKey: String, now: WallTime, waiter: @escaping Waiter) -> (FillCoalescer<Waiter>.Role, CacheStore.FillTicket) {
        state.withLock { state in
            (state.fills.join(fillKey, waiter), state.store.beginFill(now: now))
        }
    }

    /// Ends a fill: stores `entry` unless a bust since `ticket` selected it, then answers the
    /// waiters (outside the lock) with what was stored.
    @discardableResult
    public func finishFill(_ fillKey: String, ticket: CacheStore.FillTicket, entry: StoredEntry?, now: WallTime)
        -> CacheStore.FillOutcome?
    {
        let (outcome, waiters) = state.withLock { state -> (CacheStore.FillOutcome?, [Waiter]) in
            let outcome = entry.map { state.store.complete(ticket, with: $0, now: now) }
            return (outcome, state.fills.finish(fillKey))
        }
        let served = outcome == .stored ? entry : nil
        for waiter in waiters { waiter(served) }
        return outcome
    }

    /// Stores an entry made elsewhere (a peer's fill, a handoff), unless a bust since `ticket`
    /// selected it.
    @discardableResult
    public func store(_ entry: StoredEntry, ticket: CacheStore.FillTicket, now: WallTime) -> CacheStore.FillOutcome {
        state.withLock { $0.store.complete(ticket, with: entry, now: now) }
    }

    /// Stores a copy of an entry another node fetched, unless a bust here came after its
    /// response did (`CacheStore.completeCopy`).
    @discardableResult
    public func storeCopy(_ entry: StoredEntry, now: WallTime) -> CacheStore.FillOutcome {
        state.withLock { $0.store.completeCopy(of: entry, now: now) }
    }

    public func beginFill(now: WallTime) -> CacheStore.FillTicket {
        state.withLock { $0.store.beginFill(now: now) }
    }

    /// A 304's new head and freshness for a stored variant.
    @discardableResult
    public func refresh(_ key: CacheKey, request: FieldList, response: CacheResponse, freshness: Freshness) -> Bool {
        state.withLock { $0.store.refresh(key, request: request, response: response, freshness: freshness) }
    }

    /// Drops what `invalidation` selects; fills in flight that it selects will not be stored.
    @discardableResult
    public func invalidate(_ invalidation: Invalidation, now: WallTime) -> Int {
        state.withLock { $0.store.invalidate(invalidation, now: now) }
    }

    /// The primary key text of every stored entry, each once.
    public func heldKeys() -> [String] {
        state.withLock { $0.store.keyTexts() }
    }

    /// Every stored variant of a primary key.
    public func variants(of keyText: String) -> [StoredEntry] {
        state.withLock { $0.store.variants(of: keyText) }
    }

    /// Counters, entries and bytes, read together.
    public var figures: ResponseStoreFigures {
        state.withLock { state in
            ResponseStoreFigures(stats: state.store.stats, entries: state.store.count, bytes: state.store.bytes,
                                 capacity: capacity, epoch: state.store.epoch, routes: state.store.routes)
        }
    }
}

extension ResponseStore {
    /// The stored variant of `key` for the request, or a fill of it (`fill(_:now:on:stored:)`).
    public func lookupOrFill(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop,
                             stored: @escaping @Sendable (StoredEntry) -> Void = { _ in }) -> CacheLookup {
        if let entry = lookup(key, request: request) { return .hit(entry) }
        return fill(key, now: now, on: loop, stored: stored)
    }

    /// Joins the fill of `key`: the leader gets a `CacheFill` whose end stores the entry and
    /// calls `stored` with it when it was stored; the others wait for it, answered on `loop`.
    public func fill(_ key: CacheKey, now: WallTime, on loop: any EventLoop,
                     stored: @escaping @Sendable (StoredEntry) -> Void = { _ in }) -> CacheLookup {
        let promise = loop.makePromise(of: StoredEntry?.self)
        let (role, ticket) = joinFill(key.text, now: now) { entry in promise.succeed(entry) }
        switch role {
        case .lead:
            promise.succeed(nil)
            return .lead(CacheFill(key: key, ticket: ticket) { [self] entry, now in
                if finishFill(key.text, ticket: ticket, entry: entry, now: now) == .stored, let entry { stored(entry) }
            })
        case .wait:
            return .wait(promise.futureResult)
        case .alone:
            promise.succeed(nil)
            return .bypass
        }
    }
}

/// A node on its own holds every key.
extension ResponseStore: ResponseCache {
    public func lookup(_ key: CacheKey, request: FieldList, route: String, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        lookupOrFill(key, request: request, now: now, on: loop)
    }

    public func fill(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        fill(key, now: now, on: loop)
    }

    public func bust(_ invalidation: Invalidation, now: WallTime) {
        invalidate(invalidation, now: now)
    }
}
