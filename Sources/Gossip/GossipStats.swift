/// Counters for metrics and the simulator. All counts since the node started.
public struct GossipStats: Sendable, Equatable {
    public var probesSent = 0
    public var indirectProbesSent = 0
    /// Pings sent over a stream alongside the indirect probes.
    public var streamProbesSent = 0
    public var acksReceived = 0
    public var nacksReceived = 0
    public var suspicionsRaised = 0
    public var refutations = 0
    /// Alive records sent straight to a node that suspected us, or held us dead, at an
    /// incarnation already refuted (or named as an accuser of the one refuted).
    public var lateAccusersAnswered = 0
    public var deathsDeclared = 0
    public var messagesIn = 0
    public var messagesOut = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var decodeErrors = 0
    public var unknownMessages = 0
    public var pushPullRuns = 0
    /// The part of `pushPullRuns` started because a peer's census showed members this node lacked.
    public var censusExchanges = 0
    public var rumorsDelivered = 0
    public var urgentForwards = 0
    /// Lifeguard local health: 0 is healthy; each step stretches probe interval and timeout.
    public var awarenessScore = 0

    public init() {}
}
