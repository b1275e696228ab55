/// The local node's own actions: leave, new tags or metadata, user rumors.
extension GossipNode {
    /// Leaves gracefully: the announcement goes out urgently; afterwards the node stops
    /// probing and exchanging state, but keeps answering pings and gossiping so the news
    /// spreads while the shell drains.
    public func leave(now: Instant) -> [GossipOutput] {
        guard !hasLeft else { return [] }
        let me = table.modify(0, stateChangedAt: now) { record -> Member in
            record.member.incarnation += 1
            record.state = .left
            return record.member
        }
        hasLeft = true
        probes.removeAll()
        enqueueAndForward(.member(me.name), .dead(id: me.id, incarnation: me.incarnation, from: me.name, left: true),
                          except: nil, now: now)
        return drainOutputs()
    }

    /// New tags and/or metadata for this node, announced with a raised incarnation.
    public func update(tags: [String: String]? = nil, meta: [String: String]? = nil, now: Instant) throws(GossipError) -> [GossipOutput] {
        guard !hasLeft else { throw .hasLeft }
        var next = localMember
        if let tags { next.tags = tags }
        if let meta { next.meta = meta }
        try GossipNode.validate(next, config: config)
        guard next.tags != localMember.tags || next.meta != localMember.meta else { return [] }
        next.incarnation += 1
        table.modify(0) { $0.member = next }
        enqueue(.member(next.name), record: table[0].aliveRecord)
        return drainOutputs()
    }

    /// Spreads a user rumor. Urgent rumors also go at once to a few random peers, which
    /// forward them on first receipt. A version not newer than the last one this node
    /// delivered or sent for the subject is ignored.
    public func broadcast(_ rumor: Rumor, now: Instant) throws(GossipError) -> [GossipOutput] {
        guard !hasLeft else { throw .hasLeft }
        guard rumor.subject.utf8.count <= WireLimits.maxStringLength else { throw .stringTooLong(rumor.subject) }
        let record = encoder.record(.rumor(rumor))
        let limit = config.maxPacketSize - 1
        guard record.count <= limit else { throw .rumorTooLarge(encodedSize: record.count, limit: limit) }
        guard rumorLog.isNew(rumor) else { return [] }
        rumorLog.record(rumor, at: now)
        queue.enqueue(.rumor(rumor.subject), bytes: record, priority: rumor.urgent ? .urgent : .plain)
        if rumor.urgent { forward(record, except: nil, fanout: config.urgentFanout, now: now) }
        return drainOutputs()
    }

    func handleRumor(_ rumor: Rumor, from sender: NodeAddress, now: Instant) {
        guard rumorLog.isNew(rumor) else { return }
        rumorLog.record(rumor, at: now)
        stats.rumorsDelivered += 1
        emit(.rumor(rumor))
        if rumor.urgent {
            enqueueAndForward(.rumor(rumor.subject), .rumor(rumor), except: sender, now: now)
        } else {
            enqueue(.rumor(rumor.subject), .rumor(rumor))
        }
    }
}
