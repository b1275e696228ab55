import Gossip
import Logging

/// Membership events and rumors, handed to the node's own concerns and to subscribers.
extension NodeShell {
    func observe(_ event: MembershipEvent) {
        let m = event.member
        let fields: Logger.Metadata = [
            "member": "\(m.name)", "address": "\(m.address)", "incarnation": "\(m.incarnation)",
        ]
        switch event {
        case .joined: logger.info("member joined", metadata: fields)
        case .updated: logger.debug("member updated", metadata: fields)
        case .suspected: logger.info("member suspected", metadata: fields)
        case .refuted: logger.info("member refuted suspicion", metadata: fields)
        case .failed: logger.info("member failed", metadata: fields)
        case .left: logger.info("member left", metadata: fields)
        }
        updateMemberGauges()
        for subscriber in membershipSubscribers { subscriber(event) }
    }

    func updateMemberGauges() {
        var counts: [String: Int] = [:]
        for m in gossip.members { counts[m.state.rawValue, default: 0] += 1 }
        for state in NodeMetrics.memberStates {
            metrics.members[state]?.set(Int64(counts[state] ?? 0))
        }
    }

    /// Subscribes to user rumors whose subject starts with `prefix`; called on the event loop.
    public func subscribe(prefix: String, deliver: @escaping @Sendable (Rumor) -> Void) {
        loop.execute { self.rumorSubscribers.append((prefix, deliver)) }
    }

    /// Subscribes to every membership event (joins, updates of tags and meta, failures,
    /// leaves); `deliver` runs on the event loop.
    public func subscribeMembership(_ deliver: @escaping @Sendable (MembershipEvent) -> Void) {
        loop.execute { self.membershipSubscribers.append(deliver) }
    }

    func deliver(_ rumor: Rumor) {
        if rumor.subject == KeyringRumor.subject {
            applyKeyringRumor(rumor)
            return
        }
        for subscriber in rumorSubscribers where rumor.subject.hasPrefix(subscriber.prefix) {
            subscriber.deliver(rumor)
        }
    }

    /// Replaces this node's meta entries named in `changes` (nil removes one) and spreads it.
    func updateMeta(_ changes: [String: String?]) {
        var meta = gossip.localMember.meta
        for (key, value) in changes { meta[key] = value }
        guard meta != gossip.localMember.meta else { return }
        let tags = gossip.localMember.tags
        run { node, now in (try? node.update(tags: tags, meta: meta, now: now)) ?? [] }
    }
}
