import Gossip

/// The members that hold the cache, kept from membership events: the live workers of the local
/// node's environment (a manager holds no share). The ring changes only when that set
/// changes, one member at a time. A suspect owner stays on the ring, so a suspicion that is
/// refuted moves no key, but readers ask it after the other owner.
public struct CacheMembership: Sendable {
    public let environment: String
    public let replicas: Int
    public private(set) var ownership: KeyOwnership
    private var suspects: Set<String> = []

    public init(local: Member, replicas: Int = KeyOwnership.defaultReplicas) {
        self.init(name: local.name, tags: local.tags, replicas: replicas)
    }

    /// The local node by its name and tags.
    public init(name: String, tags: [String: String], replicas: Int = KeyOwnership.defaultReplicas) {
        environment = tags["env"] ?? "default"
        self.replicas = replicas
        ownership = KeyOwnership(members: (tags["role"] ?? "worker") == "worker" ? [name] : [], replicas: replicas)
    }

    /// Applies what the local node concluded; true when the ring changed.
    @discardableResult
    public mutating func apply(_ event: MembershipEvent) -> Bool {
        let member = event.member
        let live: Bool
        switch event {
        case .joined, .updated, .refuted:
            live = true
            suspects.remove(member.name)
        case .suspected:
            live = true
            suspects.insert(member.name)
        case .failed, .left:
            live = false
            suspects.remove(member.name)
        }
        let holds = live && Self.isWorker(member) && Self.environment(of: member) == environment
        return holds ? ownership.insert(member.name) : ownership.remove(member.name)
    }

    /// The owners of `key` in the order a reader asks them: primary, then backup, a suspect
    /// owner after one that is not.
    public func readOrder(of key: String) -> [String] {
        let owners = ownership.owners(of: key)
        return owners.filter { !suspects.contains($0) } + owners.filter { suspects.contains($0) }
    }

    private static func isWorker(_ member: Member) -> Bool { (member.tags["role"] ?? "worker") == "worker" }
    private static func environment(of member: Member) -> String { member.tags["env"] ?? "default" }
}
