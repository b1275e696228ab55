/// A member's incarnation number: only the member itself raises it, to refute a
/// suspicion or to announce new tags or metadata. A higher incarnation always wins.
public typealias Incarnation = UInt64

/// A node's identity: its name, unique in the mesh, and a `uid` that is fresh at every
/// process start. When two identities share a name, the one with the larger uid is the
/// newer process, so the shell should make uids grow across restarts:
/// `NodeID.freshUID(wallClockNanoseconds:random:)` does that.
public struct NodeID: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var uid: UInt64

    public init(name: String, uid: UInt64) {
        self.name = name
        self.uid = uid
    }

    /// A uid for a process starting now: wall-clock milliseconds in the high 44 bits
    /// (ordered across restarts) and 20 random bits (apart for two starts in the same ms).
    public static func freshUID<R: RandomNumberGenerator>(wallClockNanoseconds: Int64, random: inout R) -> UInt64 {
        let millis = UInt64(max(0, wallClockNanoseconds) / 1_000_000)
        return (millis << 20) | (random.next() & 0xF_FFFF)
    }

    public var description: String { "\(name)#\(String(uid, radix: 16))" }
}
