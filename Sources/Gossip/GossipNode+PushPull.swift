/// Anti-entropy: a full-state exchange over a stream, on join, periodically with a random
/// member, and periodically with a seed so that meshes split at start-up merge.
extension GossipNode {
    /// Joins through seed addresses: a push-pull with every seed (any one that answers is
    /// enough) and an alive announcement to each. The seeds are remembered for re-joins.
    public func join(seeds: [NodeAddress], now: Instant) -> [GossipOutput] {
        var unique: [NodeAddress] = []
        for seed in seeds where seed != localMember.address && !unique.contains(seed) { unique.append(seed) }
        self.seeds = unique
        guard !hasLeft, !unique.isEmpty else { return drainOutputs() }
        let state = stateBytes(join: true)
        for seed in unique {
            stats.pushPullRuns += 1
            emit(.stream(state, to: seed))
            sendRecord(.alive(localMember), to: seed)
        }
        nextRejoinAt = now + config.rejoinInterval
        // Two more full exchanges soon after, with whoever we know by then, fill in the
        // members that joined at the same time as we did.
        earlyPushPulls = 2
        nextPushPullAt = min(nextPushPullAt, now + earlyPushPullDelay())
        announcePending = true
        return drainOutputs()
    }

    /// The serving side of a stream: a push-pull state is merged and answered with ours; a
    /// ping for this node is answered with an ack. An empty reply means: close.
    public func receive(stream: [UInt8], from address: NodeAddress, now: Instant) -> (reply: [UInt8], outputs: [GossipOutput]) {
        stats.bytesIn += stream.count
        let packet = decode(stream)
        var reply: [UInt8] = []
        for message in packet.messages {
            switch message {
            case let .pushPull(_, join, _, _):
                handle(message, from: address, now: now)
                reply = stateBytes(join: join)
            case let .ping(seq, target):
                if target == localName, reply.isEmpty { reply = encoder.packet([.ack(seq: seq)]) }
            default:
                handle(message, from: address, now: now)
            }
        }
        stats.bytesOut += reply.count
        return (reply, drainOutputs())
    }

    /// The initiating side of push-pull: the peer's reply to our state.
    public func receive(streamReply: [UInt8], from address: NodeAddress, now: Instant) -> [GossipOutput] {
        stats.bytesIn += streamReply.count
        let known = table.count
        for message in decode(streamReply).messages {
            handle(message, from: address, now: now)
        }
        if table.count > known, !hasLeft {
            // The mesh still holds members we had not heard of (it is starting up, or a part
            // of it joined at once): exchange again soon instead of at the regular interval,
            // until an exchange brings nothing new. Full states cross a mass start in a few
            // exchanges, where gossip carries one alive record per member to every node.
            earlyPushPulls = max(earlyPushPulls, 1)
            nextPushPullAt = min(nextPushPullAt, now + earlyPushPullDelay())
        }
        if announcePending, table.liveCount > 1 {
            announcePending = false
            forward(encoder.record(.alive(localMember)), except: address, fanout: config.urgentFanout, now: now)
        }
        return drainOutputs()
    }

    /// 2–5 gossip intervals after joining, then 6–15 more: soon enough that nodes started
    /// together know each other well inside a protocol period or two.
    func earlyPushPullDelay() -> Duration {
        let spread = earlyPushPulls == 2 ? 1.0 : 3.0
        return config.gossipInterval.scaled(by: Double.random(in: 2..<5, using: &random) * spread)
    }

    func pushPullWithRandomMember(now: Instant) {
        guard let slot = randomPeers(count: 1, now: now, includeRecentlyDead: false, excluding: nil).first else { return }
        pushPull(with: table[slot].address)
    }

    func pushPull(with address: NodeAddress, join: Bool = false) {
        stats.pushPullRuns += 1
        let state = stateBytes(join: join)
        stats.bytesOut += state.count
        emit(.stream(state, to: address))
    }

    /// A peer's census: noted, and acted on at the next tick once gossip here is quiet.
    func heardCensus(live: Int, from address: NodeAddress, now: Instant) {
        guard !hasLeft else { return }
        census.heard(live: live, from: address, known: table.count, now: now)
    }

    /// A push-pull with a seed this node does not hold live, if any. A seed held live is a
    /// member of this node's mesh, so no split separates them, and the periodic push-pull
    /// keeps their states in step; exchanging with it anyway would send every seed a full
    /// state from every node each interval, O(N²) per interval across the mesh.
    func rejoin(now: Instant) {
        let unreached = seeds.filter { seed in table.slot(at: seed).map { !table[$0].isLive } ?? true }
        guard !unreached.isEmpty else { return }
        pushPull(with: unreached[Int.random(in: 0..<unreached.count, using: &random)], join: true)
    }

    /// Every member but the tombstones of members never known (they have no address).
    func stateBytes(join: Bool) -> [UInt8] {
        let records = table.records
        var count = 0
        var entryBytes = 0
        for slot in records.indices where !records[slot].address.host.isEmpty {
            count += 1
            entryBytes += records[slot].profile.encoded.entrySize
        }
        return encoder.pushPullPacket(from: localName, join: join, count: count, entryBytes: entryBytes,
                                      rumors: rumorLog.recent()) { out in
            for slot in records.indices where !records[slot].address.host.isEmpty {
                records[slot].profile.encoded.appendEntry(state: records[slot].state, to: &out)
            }
        }
    }

    /// Merges a remote state. A remote "dead" only makes us suspect a member we hold alive,
    /// so it must time out here too (or be refuted) before we declare it dead ourselves.
    /// A state says what its sender holds, not who suspected: it confirms no suspicion.
    /// A member first heard of in a state is not announced on (`handleAlive(fromState:)`).
    /// News about members this node holds already (a refutation, a new address) is passed
    /// on, except after a join-time exchange, where only the sender's own news is.
    func merge(sender: String, join: Bool, members: [Member], rumors: [Rumor], from address: NodeAddress, now: Instant) {
        defer { rebroadcastEnabled = true }
        for member in members {
            rebroadcastEnabled = !join || member.name == sender
            switch member.state {
            case .alive:
                // The sender's own record is news from the member itself, wherever the stream came from.
                handleAlive(member, from: member.name == sender ? member.address : address, fromState: true, now: now)
            case .suspect, .dead:
                if table.slot(named: member.name) == nil, member.name != localName {
                    handleAlive(Member(id: member.id, address: member.address, incarnation: member.incarnation,
                                       state: .alive, tags: member.tags, meta: member.meta), from: address, fromState: true, now: now)
                    if member.state == .dead {
                        handleDead(id: member.id, incarnation: member.incarnation, from: sender, left: false,
                                   sender: address, now: now)
                    }
                } else {
                    handleSuspect(id: member.id, incarnation: member.incarnation, suspecters: [sender], confirms: false,
                                  from: address, now: now)
                }
            case .left:
                handleDead(id: member.id, incarnation: member.incarnation, from: member.name, left: true, sender: address, now: now)
            }
        }
        rebroadcastEnabled = !join
        for rumor in rumors { handleRumor(rumor, from: address, now: now) }
    }
}
