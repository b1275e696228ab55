import CacheRing
import NIOCore
import Synchronization

/// What the gateway asks of the response cache on a route with a `cache:` rule. A node's
/// `ResponseStore` answers for keys it holds; the mesh's cache answers for any key, asking the
/// key's owner when that is another node.
public protocol ResponseCache: Sendable {
    /// The stored variant of `key` for the request, fresh or not, or how to get one: lead a
    /// fill, or wait for the one in flight. `loop` is where the answer to a wait is delivered.
    func lookup(_ key: CacheKey, request: FieldList, route: String, now: WallTime, on loop: any EventLoop) -> CacheLookup

    /// Starts a fill of `key` for a stored entry the request may not use as it is (stale, or
    /// to be validated), coalesced with other fills of the key as a miss's is.
    func fill(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop) -> CacheLookup

    /// A stored variant's new head and freshness, after a 304 from the origin; false when it is
    /// no longer stored.
    @discardableResult
    func refresh(_ key: CacheKey, request: FieldList, response: CacheResponse, freshness: Freshness) -> Bool

    /// A bust made by a request (an unsafe method's, RFC 9111 §4.4): applied wherever the
    /// cache holds entries.
    func bust(_ invalidation: Invalidation, now: WallTime)
}

public enum CacheLookup {
    /// Stored; freshness is the caller's to judge (`Reuse.decide`).
    case hit(StoredEntry)
    /// A copy of an entry another node owns, kept here a short while; judged as a hit is.
    case near(StoredEntry)
    /// Nothing usable stored: go to the origin, then `end` the fill.
    case lead(CacheFill)
    /// Another request is filling the key: its entry, or nil when it stored none.
    case wait(EventLoopFuture<StoredEntry?>)
    /// The key's owner is another node; its answer is one of the others.
    case ask(EventLoopFuture<CacheLookup>)
    /// Go to the origin without storing (the cache cannot take a fill now).
    case bypass
}

/// A fill this request leads. Ended once, with `end`; a fill that is dropped unended ends
/// as "nothing stored", so the requests waiting on it go on.
public final class CacheFill: Sendable {
    public let key: CacheKey
    public let ticket: CacheStore.FillTicket
    private let ending: @Sendable (StoredEntry?, WallTime) -> Void
    private let settled = Atomic(false)

    /// - Parameter end: stores the entry the origin's response made (nil: none) where the key
    ///   is owned, and answers the requests that waited; called once.
    public init(key: CacheKey, ticket: CacheStore.FillTicket, end: @escaping @Sendable (StoredEntry?, WallTime) -> Void) {
        self.key = key
        self.ticket = ticket
        self.ending = end
    }

    public func end(_ entry: StoredEntry?, now: WallTime) {
        guard !settled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        ending(entry, now)
    }

    deinit {
        end(nil, now: ticket.started)
    }
}
