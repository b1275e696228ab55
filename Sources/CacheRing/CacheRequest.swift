/// The parts of a client request the cache reads.
public struct CacheRequest: Sendable, Equatable {
    /// Upper case, as received.
    public var method: String
    /// The `Host` (or `:authority`) the request was sent to.
    public var host: String
    /// The origin-form request target: path and optional `?query`.
    public var target: String
    public var headers: FieldList

    public init(method: String, host: String, target: String, headers: FieldList = [:]) {
        self.method = method
        self.host = host
        self.target = target
        self.headers = headers
    }

    public var path: Substring { target.prefix { $0 != "?" } }

    /// The query after `?`, nil when the target has none.
    public var query: Substring? {
        target.firstIndex(of: "?").map { target[target.index(after: $0)...] }
    }
}
