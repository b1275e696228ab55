/// What a member announces about itself: identity, address, incarnation, tags and
/// metadata, without the local view of its state. Immutable (its encoding aside, made
/// once on demand), so every record that holds the same announcement can share one
/// instance (`MemberProfiles`).
final class MemberProfile {
    let id: NodeID
    let address: NodeAddress
    let incarnation: Incarnation
    let tags: [String: String]
    let meta: [String: String]
    /// The announcement encoded, the first time a queue or a push-pull needs it.
    private(set) lazy var encoded: EncodedAnnouncement = {
        var encoder = MessageEncoder()
        return encoder.announcement(member(state: .alive))
    }()

    init(_ member: Member) {
        id = member.id
        address = member.address
        incarnation = member.incarnation
        tags = member.tags
        meta = member.meta
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
    private struct Key: Hashable {
        let id: NodeID
        let address: NodeAddress
        let incarnation: Incarnation
        let tags: [String: String]
        let meta: [String: String]
    }

    private var shared: [Key: MemberProfile] = [:]

    public init() {}

    /// Distinct announcements held.
    public var count: Int { shared.count }

    /// The shared profile that announces what `member` does.
    func profile(of member: Member) -> MemberProfile {
        let key = Key(id: member.id, address: member.address, incarnation: member.incarnation,
                      tags: member.tags, meta: member.meta)
        if let profile = shared[key] { return profile }
        let profile = MemberProfile(member)
        shared[key] = profile
        return profile
    }
}
