/// Getting updates out: piggybacking on every packet, the gossip timer, and urgent
/// forwarding of news that cannot wait for gossip rounds.
extension GossipNode {
    var retransmitLimit: Int {
        BroadcastQueue.retransmitLimit(multiplier: config.retransmitMultiplier, clusterSize: table.liveCount)
    }

    /// What one gossip round carries at most: a full packet to each of `gossipFanout` peers.
    var gossipRoundBytes: Int { config.maxPacketSize * config.gossipFanout }

    /// Push-pull runs less often in big meshes (as memberlist does): ×(⌈log2(N/32)⌉ + 1) above 32 members.
    var pushPullScale: Int {
        let n = table.liveCount
        guard n > 32 else { return 1 }
        var scale = 1
        var size = 32
        while size < n { size *= 2; scale += 1 }
        return scale
    }

    /// Queues an update for piggybacking, replacing any queued update about the same subject.
    func enqueue(_ subject: BroadcastSubject, _ message: Message, priority: BroadcastPriority = .plain) {
        guard rebroadcastEnabled else { return }
        enqueue(subject, record: encoder.record(message), priority: priority)
    }

    /// Queues an encoded update (a member's shared alive record).
    func enqueue(_ subject: BroadcastSubject, record: [UInt8], priority: BroadcastPriority = .plain) {
        guard rebroadcastEnabled, record.count + 1 <= config.maxPacketSize else { return }
        queue.enqueue(subject, bytes: record, priority: priority)
    }

    /// Queues the update (as urgent unless told otherwise) and also sends it right away to
    /// `fanout` random peers (`urgentFanout` unless given).
    func enqueueAndForward(_ subject: BroadcastSubject, _ message: Message, except sender: NodeAddress?,
                           fanout: Int? = nil, priority: BroadcastPriority = .urgent, now: Instant) {
        enqueueAndForward(subject, record: encoder.record(message), except: sender, fanout: fanout, priority: priority, now: now)
    }

    func enqueueAndForward(_ subject: BroadcastSubject, record: [UInt8], except sender: NodeAddress?,
                           fanout: Int? = nil, priority: BroadcastPriority = .urgent, now: Instant) {
        guard record.count + 1 <= config.maxPacketSize else { return }
        queue.enqueue(subject, bytes: record, priority: priority)
        forward(record, except: sender, fanout: fanout ?? config.urgentFanout, now: now)
    }

    func forward(_ record: [UInt8], except sender: NodeAddress?, fanout: Int, now: Instant) {
        guard fanout > 0 else { return }
        let exclude = sender.flatMap { table.slot(at: $0) }.map { table[$0].name }
        for slot in randomPeers(count: fanout, now: now, includeRecentlyDead: false, excluding: exclude) {
            let address = table[slot].address
            guard address != sender else { continue }
            var packet = MessageEncoder.packetHeader(capacity: record.count + 1)
            packet.append(contentsOf: record)
            send(packet, to: address)
            stats.urgentForwards += 1
        }
    }

    func sendRecord(_ message: Message, to address: NodeAddress) {
        var packet = MessageEncoder.packetHeader(capacity: 64)
        encoder.append(message, to: &packet)
        guard packet.count <= config.maxPacketSize else { return }
        send(packet, to: address)
    }

    /// Fills the rest of the packet with queued updates, then sends it.
    func sendWithPiggyback(_ packet: [UInt8], to address: NodeAddress) {
        var packet = packet
        encoder.append(.census(live: UInt32(table.liveCount)), to: &packet)
        queue.fill(&packet, budget: config.maxPacketSize, limit: retransmitLimit)
        send(packet, to: address)
    }

    func send(_ packet: [UInt8], to address: NodeAddress) {
        stats.bytesOut += packet.count
        stats.messagesOut += 1
        emit(.datagram(packet, to: address))
    }

    /// The gossip timer: queued updates go to a few random peers (recently dead ones
    /// included, so a falsely-declared node hears of it and refutes), and a suspect among
    /// them hears of its suspicion.
    func gossipRound(now: Instant) {
        guard !queue.isEmpty || !suspicions.isEmpty else { return }
        let limit = retransmitLimit
        for slot in randomPeers(count: config.gossipFanout, now: now, includeRecentlyDead: true, excluding: nil) {
            var packet = MessageEncoder.packetHeader(capacity: config.maxPacketSize)
            let told = appendSuspicion(ofRecipient: slot, to: &packet)
            encoder.append(.census(live: UInt32(table.liveCount)), to: &packet)
            guard queue.fill(&packet, budget: config.maxPacketSize, limit: limit) > 0 || told else { continue }
            send(packet, to: table[slot].address)
        }
    }

    /// Buddy system (Lifeguard): a packet to a suspected member carries its suspicion first,
    /// outside the queue, so the suspect hears of it from whoever holds it, however much
    /// other news is queued. Returns whether it did.
    func appendSuspicion(ofRecipient slot: Int, to packet: inout [UInt8]) -> Bool {
        let member = table[slot].member
        guard config.lifeguard, member.state == .suspect, let suspicion = suspicions[member.name] else { return false }
        encoder.append(.suspect(id: member.id, incarnation: member.incarnation, suspecters: suspicion.suspecters),
                       to: &packet)
        return true
    }

    /// Up to `count` distinct random members other than this node: live ones, and with
    /// `includeRecentlyDead` those dead for less than `gossipToTheDeadTime`. Expected O(count)
    /// by rejection sampling; a scan only when few members qualify.
    func randomPeers(count: Int, now: Instant, includeRecentlyDead: Bool, excluding excluded: String?) -> [Int] {
        let total = table.count
        guard count > 0, total > 1 else { return [] }
        func qualifies(_ slot: Int) -> Bool {
            let state = table.records[slot].state
            guard state == .alive || state == .suspect
                || (includeRecentlyDead && state == .dead
                    && table.goneSince(slot).map({ now - $0 < config.gossipToTheDeadTime }) == true) else { return false }
            if let excluded, table.records[slot].name == excluded { return false }
            return true
        }
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        var attempts = 0
        while chosen.count < count && attempts < count * 4 + 8 {
            attempts += 1
            let slot = Int.random(in: 1..<total, using: &random)
            if !chosen.contains(slot) && qualifies(slot) { chosen.append(slot) }
        }
        if chosen.count < count {
            var rest = (1..<total).filter { !chosen.contains($0) && qualifies($0) }
            rest.shuffle(using: &random)
            chosen.append(contentsOf: rest.prefix(count - chosen.count))
        }
        return chosen
    }
}
