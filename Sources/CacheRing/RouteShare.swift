/// What one route's responses take in a store: variants and the bytes they account.
public struct RouteShare: Sendable, Equatable {
    public var entries: Int
    public var bytes: Int

    public init(entries: Int = 0, bytes: Int = 0) {
        self.entries = entries
        self.bytes = bytes
    }
}
