import CacheRing
import Foundation
import Proxy

/// The node's part of the mesh's one response cache: its share of the keys (`ResponseStore`).
/// Busts from `meshctl bust`, from peers and from unsafe methods all end here.
public final class MeshCache: Sendable {
    public let store: ResponseStore

    public init(capacity: Int) {
        store = ResponseStore(capacity: capacity)
    }

    /// Applies a bust to what this node holds; answers how many stored variants went.
    @discardableResult
    public func invalidate(_ invalidation: Invalidation, now: WallTime = .current) -> Int {
        store.invalidate(invalidation, now: now)
    }
}

extension WallTime {
    /// The wall clock now, in whole seconds.
    public static var current: WallTime { WallTime(seconds: Int64(Date().timeIntervalSince1970)) }
}
