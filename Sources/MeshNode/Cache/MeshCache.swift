import CacheRing
import NIOCore
import Proxy

/// The node's part of the mesh's one response cache: its share of the keys (`ResponseStore`).
/// Busts from `meshctl bust`, from peers and from unsafe methods all end here.
public final class MeshCache: Sendable {
    public let store: ResponseStore

    public init(capacity: Int) {
        store = ResponseStore(capacity: capacity)
    }
}

extension MeshCache: ResponseCache {
    public func lookup(_ key: CacheKey, request: FieldList, route: String, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        store.lookup(key, request: request, route: route, now: now, on: loop)
    }

    public func fill(_ key: CacheKey, request: FieldList, now: WallTime, on loop: any EventLoop) -> CacheLookup {
        store.fill(key, request: request, now: now, on: loop)
    }

    public func finish(_ fill: CacheFill, entry: StoredEntry?, now: WallTime) {
        store.finish(fill, entry: entry, now: now)
    }

    @discardableResult
    public func refresh(_ key: CacheKey, request: FieldList, response: CacheResponse, freshness: Freshness) -> Bool {
        store.refresh(key, request: request, response: response, freshness: freshness)
    }

    /// Applies a bust to what this node holds; answers how many stored variants went.
    @discardableResult
    public func invalidate(_ invalidation: Invalidation, now: WallTime = .current) -> Int {
        store.invalidate(invalidation, now: now)
    }
}
