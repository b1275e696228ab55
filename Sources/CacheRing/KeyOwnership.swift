/// Which members own a cache key: the ring over the live members of the environment, a
/// primary owner and `replicas - 1` backups (the next distinct members clockwise). Every node
/// that is given the same member names computes the same owners.
public struct KeyOwnership: Sendable {
    /// Points per member: chosen by measurement (docs/cache.md, `cache-bench ring`).
    public static let pointsPerMember = 256
    public static let defaultReplicas = 2

    public let replicas: Int
    private var ring: HashRing
    public private(set) var members: Set<String>

    public init(members: some Sequence<String>, replicas: Int = KeyOwnership.defaultReplicas) {
        self.replicas = max(1, replicas)
        self.members = Set(members)
        ring = HashRing(members: self.members.sorted().map { ($0, 1) }, pointsPerWeight: Self.pointsPerMember)
    }

    /// Adds a member to the ring; false when it already holds a share. A mesh starting up
    /// changes the ring once per member, so this does not rebuild it.
    @discardableResult
    public mutating func insert(_ name: String) -> Bool {
        guard members.insert(name).inserted else { return false }
        ring.insert(name, weight: 1)
        return true
    }

    /// Takes a member off the ring; false when it held no share.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool {
        guard members.remove(name) != nil else { return false }
        ring.remove(name)
        return true
    }

    /// The owners of `key`, primary first; fewer than `replicas` when there are fewer members.
    public func owners(of key: String) -> [String] {
        ring.distinctMembers(from: StableHash.hash(key), count: replicas).map { ring.members[$0] }
    }

    /// Whether `name` holds a share.
    public func isMember(_ name: String) -> Bool {
        members.contains(name)
    }

    /// The primary owner of `key`, nil for an empty ring.
    public func primary(of key: String) -> String? {
        ring.firstMember(from: StableHash.hash(key)) { _ in true }.map { ring.members[$0] }
    }
}
