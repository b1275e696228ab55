/// A user broadcast: a config version announcement, a cache invalidation.
/// `(subject, version)` identifies it; a node delivers a subject's version once, and
/// ignores any version not newer than the last one it delivered for that subject.
public struct Rumor: Sendable, Hashable {
    public var subject: String
    public var version: UInt64
    public var payload: [UInt8]
    /// Urgent rumors are also forwarded on first receipt to a few random peers, so they
    /// reach the mesh in a few network hops instead of gossip rounds.
    public var urgent: Bool

    public init(subject: String, version: UInt64, payload: [UInt8] = [], urgent: Bool = false) {
        self.subject = subject
        self.version = version
        self.payload = payload
        self.urgent = urgent
    }
}
