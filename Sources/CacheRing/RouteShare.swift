/// What one route's responses take in a store (variants and the bytes they account), and how
/// many of them left it since the store was made, by reason.
public struct RouteShare: Sendable, Equatable {
    public var entries: Int
    public var bytes: Int
    /// Evicted for room.
    public var evicted: Int
    /// Removed by busts.
    public var invalidated: Int

    public init(entries: Int = 0, bytes: Int = 0, evicted: Int = 0, invalidated: Int = 0) {
        self.entries = entries
        self.bytes = bytes
        self.evicted = evicted
        self.invalidated = invalidated
    }
}
