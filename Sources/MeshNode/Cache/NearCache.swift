import CacheRing
import Proxy
import Synchronization

/// Entries this node got from their owners, kept a short while so a hot key does not make its
/// owner the bottleneck: bounded in bytes, each served for at most `lifetime` seconds after it
/// arrived, and dropped by every bust as the owner's copy is.
final class NearCache: Sendable {
    let lifetime: Int
    private let store: ResponseStore
    /// When each variant arrived here.
    private let arrivals = Mutex<[String: WallTime]>([:])

    init(capacity: Int, lifetime: Int) {
        self.lifetime = lifetime
        store = ResponseStore(capacity: capacity)
    }

    func lookup(_ key: CacheKey, request: FieldList, now: WallTime) -> StoredEntry? {
        guard let entry = store.lookup(key, request: request) else { return nil }
        let arrived = arrivals.withLock { $0[entry.variant] }
        guard let arrived, now - arrived < lifetime else {
            store.invalidate(.key(key.text), now: now)
            return nil
        }
        return entry
    }

    func keep(_ entry: StoredEntry, now: WallTime) {
        guard store.storeCopy(entry, now: now) == .stored else { return }
        arrivals.withLock { arrivals in
            arrivals[entry.variant] = now
            // Arrival times of variants the store has since evicted are dropped in bulk.
            if arrivals.count > 2 * max(store.figures.entries, 1024) {
                arrivals = arrivals.filter { now - $0.value < lifetime }
            }
        }
    }

    func invalidate(_ invalidation: Invalidation, now: WallTime) {
        store.invalidate(invalidation, now: now)
    }

    var figures: ResponseStoreFigures { store.figures }
}
