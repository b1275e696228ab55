/// Where a member stands in the local node's view.
public enum MemberState: String, Sendable, CaseIterable {
    case alive, suspect, dead, left
}

/// One member of the mesh as the local node knows it.
public struct Member: Sendable, Equatable {
    // Declared in this order so `state` fits after the address's port: 72 bytes, not 80.
    public var id: NodeID
    public var address: NodeAddress
    public var state: MemberState
    public var incarnation: Incarnation
    /// Topology tags: `region`, `zone`, `env`, `role`.
    public var tags: [String: String]
    /// Small values other modules publish: config version, service ports, cache figures.
    public var meta: [String: String]

    public init(id: NodeID, address: NodeAddress, incarnation: Incarnation, state: MemberState,
                tags: [String: String] = [:], meta: [String: String] = [:]) {
        self.id = id
        self.address = address
        self.incarnation = incarnation
        self.state = state
        self.tags = tags
        self.meta = meta
    }

    public var name: String { id.name }

    /// Alive or suspect: still a probe target and counted in the cluster size.
    public var isLive: Bool { state == .alive || state == .suspect }
}
