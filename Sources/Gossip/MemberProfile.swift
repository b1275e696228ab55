/// What a member announces about itself: identity, address, incarnation, tags and
/// metadata, without the local view of its state, and its encoding. Immutable, so every
/// record that holds the same announcement can share one instance (`MemberProfiles`), and
/// a full state reads each member's encoding in place: a `let`, not a lazily made value,
/// which every read would copy out (a retain of the shared instance's bytes, for each of N
/// members, in each of the states a mass start exchanges).
final class MemberProfile {
    let id: NodeID
    let address: NodeAddress
    let incarnation: Incarnation
    let tags: [String: String]
    let meta: [String: String]
    /// The announcement encoded: its alive record, and the offsets of a push-pull entry.
    let encoded: EncodedAnnouncement

    init(_ member: Member) {
        id = member.id
        address = member.address
        incarnation = member.incarnation
        tags = member.tags
        meta = member.meta
        var encoder = MessageEncoder()
        var alive = member
        alive.state = .alive
        encoded = encoder.announcement(alive)
    }

    /// Whether `member` announces exactly this (its state aside).
    func announces(_ member: Member) -> Bool {
        id == member.id && address == member.address && incarnation == member.incarnation
            && tags == member.tags && meta == member.meta
    }

    func member(state: MemberState) -> Member {
        Member(id: id, address: address, incarnation: incarnation, state: state, tags: tags, meta: meta)
    }
}

/// Shares one `MemberProfile` among the records of every node that knows the same
/// announcement. A process that runs many nodes (the simulator) hands them all one
/// instance, so a mesh of N nodes stores each announcement once instead of N times; a
/// single node needs none. It keeps every announcement it was given, so it suits a
/// bounded run, not a long-lived daemon whose members keep publishing new metadata.
/// Not thread-safe: the nodes that share it must be called from one thread.
public final class MemberProfiles {
    /// A process announces one thing at each incarnation, so the identity and the
    /// incarnation find the announcement without hashing its tags and metadata.
    private struct Key: Hashable {
        let id: NodeID
        let incarnation: Incarnation
    }

    private var shared: [Key: MemberProfile] = [:]

    public init() {}

    /// Distinct announcements held.
    public var count: Int { shared.count }

    /// The shared profile that announces what `member` does. An announcement that differs
    /// from the one shared at its incarnation (news made up by a faulty or hostile sender)
    /// gets a profile of its own.
    func profile(of member: Member) -> MemberProfile {
        let key = Key(id: member.id, incarnation: member.incarnation)
        if let profile = shared[key] {
            return profile.announces(member) ? profile : MemberProfile(member)
        }
        let profile = MemberProfile(member)
        shared[key] = profile
        return profile
    }
}
