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
        return drainOutputs()
    }

    /// The serving side of push-pull: merges the peer's state and returns ours as the reply.
    public func receive(stream: [UInt8], from address: NodeAddress, now: Instant) -> (reply: [UInt8], outputs: [GossipOutput]) {
        stats.bytesIn += stream.count
        let packet = decode(stream)
        var sawState = false
        for message in packet.messages {
            if case .pushPull = message { sawState = true }
            handle(message, from: address, now: now)
        }
        guard sawState else { return ([], drainOutputs()) }
        let reply = stateBytes(join: false)
        stats.bytesOut += reply.count
        return (reply, drainOutputs())
    }

    /// The initiating side of push-pull: the peer's reply to our state.
    public func receive(streamReply: [UInt8], from address: NodeAddress, now: Instant) -> [GossipOutput] {
        stats.bytesIn += streamReply.count
        for message in decode(streamReply).messages {
            handle(message, from: address, now: now)
        }
        return drainOutputs()
    }

    func pushPullWithRandomMember(now: Instant) {
        guard let slot = randomPeers(count: 1, now: now, includeRecentlyDead: false, excluding: nil).first else { return }
        stats.pushPullRuns += 1
        let state = stateBytes(join: false)
        stats.bytesOut += state.count
        emit(.stream(state, to: table[slot].member.address))
    }

    func rejoin(now: Instant) {
        guard !seeds.isEmpty else { return }
        let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
        stats.pushPullRuns += 1
        let state = stateBytes(join: true)
        stats.bytesOut += state.count
        emit(.stream(state, to: seed))
    }

    func stateBytes(join: Bool) -> [UInt8] {
        let members = table.records.compactMap { record -> Member? in
            record.member.address.host.isEmpty ? nil : record.member
        }
        return encoder.packet([.pushPull(from: localMember.name, join: join, members: members, rumors: rumorLog.recent())])
    }

    /// Merges a remote state. A remote "dead" only makes us suspect a member we hold alive,
    /// so it must time out here too (or be refuted) before we declare it dead ourselves.
    func merge(members: [Member], rumors: [Rumor], from address: NodeAddress, now: Instant) {
        let remote = table.slot(at: address).map { table[$0].member.name } ?? address.description
        for member in members {
            switch member.state {
            case .alive:
                handleAlive(member, from: address, now: now)
            case .suspect, .dead:
                if table.slot(named: member.name) == nil, member.name != localMember.name {
                    handleAlive(Member(id: member.id, address: member.address, incarnation: member.incarnation,
                                       state: .alive, tags: member.tags, meta: member.meta), from: address, now: now)
                    if member.state == .dead {
                        handleDead(id: member.id, incarnation: member.incarnation, from: remote, left: false,
                                   sender: address, now: now)
                    }
                } else {
                    handleSuspect(id: member.id, incarnation: member.incarnation, suspecters: [remote], from: address, now: now)
                }
            case .left:
                handleDead(id: member.id, incarnation: member.incarnation, from: member.name, left: true, sender: address, now: now)
            }
        }
        for rumor in rumors { handleRumor(rumor, from: address, now: now) }
    }
}
