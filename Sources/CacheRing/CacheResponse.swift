/// The head of a response the cache may store or has stored.
public struct CacheResponse: Sendable, Equatable {
    public var status: Int
    public var headers: FieldList

    public init(status: Int, headers: FieldList = [:]) {
        self.status = status
        self.headers = headers
    }
}
