/// One node's SWIM + Lifeguard membership and dissemination, as a pure state machine.
///
/// Inputs are calls (a datagram or stream from an address, a timer tick, join, leave,
/// broadcast, update), each with the caller's `now`; outputs are the datagrams and streams
/// to send and the membership and rumor events to act on. The node owns no socket, clock
/// or random source of its own. It is a class, not `Sendable`: a shell owns it on one
/// thread or actor and calls it serially.
public final class GossipNode {
    public let config: GossipConfig
    let localName: String
    let localUID: UInt64
    public internal(set) var stats = GossipStats()

    var random: InjectedRandom
    let table: MemberTable
    var awareness: Awareness
    var lateAcks = LateAckStreak()
    var queue: BroadcastQueue
    var encoder = MessageEncoder()
    var rumorLog: RumorLog
    var probeRotation = ProbeRotation()
    /// Added to `now` to give the mesh-wide clock whose ticks place this node's probes in
    /// the shared rotation.
    let meshClockOffset: Duration
    /// Probes in flight: this period's, and a patient probe of a late responder beside it.
    var probes: [ActiveProbe] = []
    var nextProbeAt: Instant
    var relays: [UInt32: RelayedProbe] = [:]
    var sequence: UInt32 = 0
    /// The dogpile timer of every member this node holds suspect, by name.
    var suspicions: [String: Suspicion] = [:]
    var tombstones = TombstoneQueue()
    /// The accusers already sent our alive record at our current incarnation.
    var refutedAccusers: Set<NodeAddress> = []
    var nextGossipAt: Instant
    var nextPushPullAt: Instant
    var nextRejoinAt: Instant?
    var seeds: [NodeAddress] = []
    var hasLeft = false
    /// Off while merging a join-time push-pull: members learned from a full state are not
    /// re-gossiped (their own announcements spread), which keeps a mass start-up cheap.
    var rebroadcastEnabled = true
    /// Push-pulls still to run soon after joining, before the regular interval takes over.
    var earlyPushPulls = 0
    /// Set by `join` until the first seed's state arrives; then the node announces itself
    /// to a few of the members it learned of, so its join does not wait for gossip rounds.
    var announcePending = false
    /// The largest census above what this node knows, until gossip here is quiet enough to act on it.
    var census: CensusWatch
    var outputs: [GossipOutput] = []

    /// A node named `name` whose process start is identified by `uid`, reachable at `address`.
    /// `meshClockOffset` turns `now` into a clock the mesh shares (a shell whose `now` is a
    /// monotonic clock passes the wall clock minus `now`; virtual time needs none): nodes
    /// that agree on it probe each member once per period between them (`ProbeRotation`).
    /// Nodes run in one process may share the members' announcements through `profiles`.
    /// Throws when tags or metadata do not fit the wire format or one packet.
    public init(name: String, uid: UInt64, address: NodeAddress,
                tags: [String: String] = [:], meta: [String: String] = [:],
                config: GossipConfig = .lan, now: Instant, meshClockOffset: Duration = .zero,
                random: any RandomNumberGenerator, profiles: MemberProfiles? = nil) throws(GossipError) {
        self.config = config
        self.meshClockOffset = meshClockOffset
        localName = name
        localUID = uid
        self.random = InjectedRandom(source: random)
        table = MemberTable(profiles: profiles)
        awareness = Awareness(max: config.awarenessMax, enabled: config.lifeguard, initial: config.awarenessAtStart)
        stats.awarenessScore = awareness.score
        queue = BroadcastQueue(depthLimit: config.maxQueuedUpdates)
        rumorLog = RumorLog(retention: config.rumorRetention, capacity: config.maxRetainedRumors)
        let me = Member(id: NodeID(name: name, uid: uid), address: address, incarnation: 0, state: .alive, tags: tags, meta: meta)
        try GossipNode.validate(me, config: config)
        _ = table.insert(me, stateChangedAt: now)
        probeRotation.insert(ProbeTarget(slot: 0, uid: uid))
        nextProbeAt = now + config.protocolPeriod.scaled(by: Double.random(in: 0..<1, using: &self.random))
        nextGossipAt = now + config.gossipInterval.scaled(by: Double.random(in: 0..<1, using: &self.random))
        nextPushPullAt = now + config.pushPullInterval.scaled(by: Double.random(in: 0.5..<1, using: &self.random))
        census = CensusWatch(quiet: config.gossipInterval * 2, now: now)
    }

    /// This node as the mesh sees it.
    public var localMember: Member { table[0].member }

    /// Every known member, this node included, tombstones included.
    public var members: [Member] { table.records.map(\.member) }

    /// Alive and suspect members, this node included.
    public var liveMemberCount: Int { table.liveCount }

    public func member(named name: String) -> Member? {
        table.slot(named: name).map { table[$0].member }
    }

    public func member(at address: NodeAddress) -> Member? {
        table.slot(at: address).map { table[$0].member }
    }

    /// Call `tick(now:)` at or after this instant (earlier calls are harmless).
    public var nextDeadline: Instant {
        var deadline = nextGossipAt
        for probe in probes {
            deadline = min(deadline, probe.indirectSent || probe.acked ? probe.endAt : probe.indirectAt)
        }
        if !hasLeft {
            deadline = min(deadline, nextProbeAt)
            deadline = min(deadline, nextPushPullAt)
            if let nextRejoinAt { deadline = min(deadline, nextRejoinAt) }
            if let censusAt = census.deadline { deadline = min(deadline, censusAt) }
        }
        for relay in relays.values { deadline = min(deadline, relay.nextDeadline) }
        for suspicion in suspicions.values { deadline = min(deadline, self.deadline(of: suspicion)) }
        if let expiry = tombstones.nextExpiry(after: config.tombstoneTimeout) { deadline = min(deadline, expiry) }
        return deadline
    }

    /// Runs every timer that is due at `now`.
    public func tick(now: Instant) -> [GossipOutput] {
        expireRelays(now: now)
        if !hasLeft { runProbe(now: now) }
        expireSuspicions(now: now)
        if now >= nextGossipAt {
            gossipRound(now: now)
            nextGossipAt = now + config.gossipInterval
        }
        if !hasLeft {
            if now >= nextPushPullAt {
                pushPullWithRandomMember(now: now)
                if earlyPushPulls > 0 {
                    earlyPushPulls -= 1
                    nextPushPullAt = now + (earlyPushPulls > 0 ? earlyPushPullDelay() : config.pushPullInterval * pushPullScale)
                } else {
                    nextPushPullAt = now + config.pushPullInterval * pushPullScale
                }
            }
            // A full-state exchange costs O(N), so census exchanges are spaced as push-pulls are scaled.
            if let peer = census.dueExchange(known: table.count, now: now, spacing: config.protocolPeriod * pushPullScale) {
                stats.censusExchanges += 1
                pushPull(with: peer)
            }
            if let at = nextRejoinAt, now >= at {
                rejoin(now: now)
                nextRejoinAt = now + config.rejoinInterval
            }
        }
        reapTombstones(now: now)
        rumorLog.expire(now: now)
        return drainOutputs()
    }

    /// A datagram arrived from `address`.
    public func receive(datagram: [UInt8], from address: NodeAddress, now: Instant) -> [GossipOutput] {
        stats.bytesIn += datagram.count
        let packet = decode(datagram)
        for message in packet.messages {
            handle(message, from: address, now: now)
        }
        return drainOutputs()
    }

    func decode(_ bytes: [UInt8]) -> MessageDecoder.Packet {
        let packet = MessageDecoder.decode(bytes)
        stats.messagesIn += packet.messages.count
        stats.unknownMessages += packet.unknownRecords
        if packet.error != nil { stats.decodeErrors += 1 }
        return packet
    }

    func handle(_ message: Message, from address: NodeAddress, now: Instant) {
        switch message {
        case let .ping(seq, target):
            handlePing(seq: seq, target: target, from: address)
        case let .pingReq(seq, target, targetAddress, wantsNack):
            handlePingReq(seq: seq, target: target, targetAddress: targetAddress, wantsNack: wantsNack, from: address, now: now)
        case let .ack(seq):
            handleAck(seq: seq, now: now)
        case let .nack(seq):
            handleNack(seq: seq, from: address)
        case let .alive(member):
            handleAlive(member, from: address, now: now)
        case let .suspect(id, incarnation, suspecters):
            handleSuspect(id: id, incarnation: incarnation, suspecters: suspecters, from: address, now: now)
        case let .dead(id, incarnation, from, left):
            handleDead(id: id, incarnation: incarnation, from: from, left: left, sender: address, now: now)
        case let .rumor(rumor):
            handleRumor(rumor, from: address, now: now)
        case let .pushPull(sender, join, members, rumors):
            merge(sender: sender, join: join, members: members, rumors: rumors, from: address, now: now)
        case let .census(live):
            heardCensus(live: Int(live), from: address, now: now)
        }
    }

    func emit(_ output: GossipOutput) {
        outputs.append(output)
    }

    func drainOutputs() -> [GossipOutput] {
        let drained = outputs
        outputs = []
        return drained
    }

    static func validate(_ member: Member, config: GossipConfig) throws(GossipError) {
        for value in [member.name, member.address.host] + Array(member.tags.keys) + Array(member.tags.values)
            + Array(member.meta.keys) + Array(member.meta.values) where value.utf8.count > WireLimits.maxStringLength {
            throw .stringTooLong(value)
        }
        for map in [member.tags, member.meta] where map.count > WireLimits.maxMapEntries {
            throw .tooManyEntries(map.count)
        }
        var encoder = MessageEncoder()
        let size = encoder.record(.alive(member)).count
        if size > config.maxPacketSize / 2 {
            throw .memberTooLarge(encodedSize: size, limit: config.maxPacketSize / 2)
        }
    }
}
