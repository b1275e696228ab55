/// A node's store as its figures show it: counts, size, bust epoch and each route's share.
public struct ResponseStoreFigures: Sendable, Equatable {
    public var stats: CacheStoreStats
    public var entries: Int
    public var bytes: Int
    public var capacity: Int
    /// Busts applied since start.
    public var epoch: UInt64
    /// Entries and bytes by route id; a route that holds nothing is absent.
    public var routes: [String: RouteShare]

    public init(stats: CacheStoreStats = CacheStoreStats(), entries: Int = 0, bytes: Int = 0, capacity: Int = 0, epoch: UInt64 = 0,
                routes: [String: RouteShare] = [:]) {
        self.stats = stats
        self.entries = entries
        self.bytes = bytes
        self.capacity = capacity
        self.epoch = epoch
        self.routes = routes
    }
}
