/// Timing and sizing of the protocol. Start from a profile (`.lan`, `.wan`, `.local`)
/// and adjust fields if needed.
public struct GossipConfig: Sendable, Equatable {
    /// The profile this configuration started from.
    public var profile: String
    /// One probe per protocol period (stretched by local health awareness).
    public var protocolPeriod: Duration
    /// How long to wait for a direct ack before asking relays (stretched like the period).
    public var probeTimeout: Duration
    /// Number of relays asked to ping a target that missed its direct ack (k).
    public var indirectChecks: Int
    /// Minimum suspicion timeout = suspicionMultiplier × probeTimeout (with Lifeguard).
    public var suspicionMultiplier: Int
    /// Maximum suspicion timeout = suspicionMaxMultiplier × minimum.
    public var suspicionMaxMultiplier: Int
    /// The gossip timer: every interval, pending updates go to `gossipFanout` random peers.
    public var gossipInterval: Duration
    public var gossipFanout: Int
    /// Peers an urgent update (a rumor marked urgent, suspect, dead, a refutation) is
    /// forwarded to on first receipt.
    public var urgentFanout: Int
    /// Full-state exchange with one random member over a stream.
    public var pushPullInterval: Duration
    /// Push-pull with one seed address, so a mesh split at start-up still merges.
    public var rejoinInterval: Duration
    /// Each update is sent retransmitMultiplier × ⌈log10(N+1)⌉ times.
    public var retransmitMultiplier: Int
    /// Upper bound of every datagram the core emits.
    public var maxPacketSize: Int
    /// How long dead and left members are kept so stale gossip cannot resurrect them.
    public var tombstoneTimeout: Duration
    /// Dead members still receive gossip this long, so a falsely-declared node learns it.
    public var gossipToTheDeadTime: Duration
    /// Local health score range: 0 ..< awarenessMax.
    public var awarenessMax: Int
    /// The score a node starts with (with Lifeguard): just started, it has no evidence of
    /// its own health yet, so its first probes and suspicion timers are patient until
    /// timely acks earn the score down (one per ack). A node whose inbox runs late from
    /// the start never earns it down, and never declares a member dead on a timer that
    /// ran while the refutation sat in its own inbox.
    public var awarenessAtStart = 2
    /// Lifeguard: local health awareness, dogpile suspicion and the buddy system.
    /// Off: no awareness scaling, a fixed suspicion timeout, no buddy notices.
    public var lifeguard: Bool
    /// Recent user rumors kept for push-pull, so a late joiner gets the current announcements.
    public var rumorRetention: Duration
    public var maxRetainedRumors: Int
    /// Bound of the broadcast queue (as Serf's MaxQueueDepth): past it, the update sent
    /// most often makes room, plain news before urgent. Only a mass join of thousands of
    /// nodes reaches it; the news dropped has been sent several times already, and
    /// push-pull repairs whatever gossip missed.
    public var maxQueuedUpdates = 4096

    /// Memberlist-like LAN timing: period 1 s, probe timeout 500 ms, 3 indirect probes,
    /// suspicion multiplier 4 and max 6×, gossip every 200 ms to 3 peers, push-pull every 30 s.
    public static let lan = GossipConfig(
        profile: "lan",
        protocolPeriod: .seconds(1), probeTimeout: .milliseconds(500), indirectChecks: 3,
        suspicionMultiplier: 4, suspicionMaxMultiplier: 6,
        gossipInterval: .milliseconds(200), gossipFanout: 3, urgentFanout: 6,
        pushPullInterval: .seconds(30), rejoinInterval: .seconds(60),
        retransmitMultiplier: 4, maxPacketSize: 1400,
        tombstoneTimeout: .seconds(300), gossipToTheDeadTime: .seconds(30),
        awarenessMax: 8, lifeguard: true,
        rumorRetention: .seconds(300), maxRetainedRumors: 1024)

    /// Links with long and variable latency.
    public static let wan = GossipConfig(
        profile: "wan",
        protocolPeriod: .seconds(5), probeTimeout: .seconds(3), indirectChecks: 3,
        suspicionMultiplier: 4, suspicionMaxMultiplier: 6,
        gossipInterval: .milliseconds(500), gossipFanout: 4, urgentFanout: 6,
        pushPullInterval: .seconds(60), rejoinInterval: .seconds(120),
        retransmitMultiplier: 4, maxPacketSize: 1400,
        tombstoneTimeout: .seconds(600), gossipToTheDeadTime: .seconds(60),
        awarenessMax: 8, lifeguard: true,
        rumorRetention: .seconds(600), maxRetainedRumors: 1024)

    /// Loopback and tests: fast timers.
    public static let local = GossipConfig(
        profile: "local",
        protocolPeriod: .milliseconds(200), probeTimeout: .milliseconds(100), indirectChecks: 3,
        suspicionMultiplier: 4, suspicionMaxMultiplier: 6,
        gossipInterval: .milliseconds(50), gossipFanout: 3, urgentFanout: 6,
        pushPullInterval: .seconds(5), rejoinInterval: .seconds(10),
        retransmitMultiplier: 4, maxPacketSize: 1400,
        tombstoneTimeout: .seconds(60), gossipToTheDeadTime: .seconds(10),
        awarenessMax: 8, lifeguard: true,
        rumorRetention: .seconds(60), maxRetainedRumors: 1024)

    public static let profiles: [String: GossipConfig] = ["lan": .lan, "wan": .wan, "local": .local]

    /// The named profile (`lan`, `wan`, `local`), or nil for an unknown name.
    public init?(profile: String) {
        guard let config = GossipConfig.profiles[profile] else { return nil }
        self = config
    }

    public init(profile: String, protocolPeriod: Duration, probeTimeout: Duration, indirectChecks: Int,
                suspicionMultiplier: Int, suspicionMaxMultiplier: Int,
                gossipInterval: Duration, gossipFanout: Int, urgentFanout: Int,
                pushPullInterval: Duration, rejoinInterval: Duration,
                retransmitMultiplier: Int, maxPacketSize: Int,
                tombstoneTimeout: Duration, gossipToTheDeadTime: Duration,
                awarenessMax: Int, lifeguard: Bool,
                rumorRetention: Duration, maxRetainedRumors: Int) {
        self.profile = profile
        self.protocolPeriod = protocolPeriod
        self.probeTimeout = probeTimeout
        self.indirectChecks = indirectChecks
        self.suspicionMultiplier = suspicionMultiplier
        self.suspicionMaxMultiplier = suspicionMaxMultiplier
        self.gossipInterval = gossipInterval
        self.gossipFanout = gossipFanout
        self.urgentFanout = urgentFanout
        self.pushPullInterval = pushPullInterval
        self.rejoinInterval = rejoinInterval
        self.retransmitMultiplier = retransmitMultiplier
        self.maxPacketSize = maxPacketSize
        self.tombstoneTimeout = tombstoneTimeout
        self.gossipToTheDeadTime = gossipToTheDeadTime
        self.awarenessMax = awarenessMax
        self.lifeguard = lifeguard
        self.rumorRetention = rumorRetention
        self.maxRetainedRumors = maxRetainedRumors
    }
}
