/// What the local node concluded about another member, as it happens.
public enum MembershipEvent: Sendable, Equatable {
    /// A member appeared, or came back after being dead or left (a new process or a refuted death).
    case joined(Member)
    /// A live member's address, tags or metadata changed, or a new process took over its name.
    case updated(Member)
    case suspected(Member)
    /// A suspected member proved it is alive.
    case refuted(Member)
    /// The suspicion timed out: the member is dead.
    case failed(Member)
    case left(Member)

    public var member: Member {
        switch self {
        case .joined(let m), .updated(let m), .suspected(let m), .refuted(let m), .failed(let m), .left(let m):
            return m
        }
    }
}
