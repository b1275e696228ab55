/// Dead and left members in the order they died, so reaping is O(1) per tombstone.
struct TombstoneQueue {
    private var entries: [(id: NodeID, at: Instant)] = []
    private var head = 0

    mutating func append(_ id: NodeID, at: Instant) {
        entries.append((id, at))
    }

    func nextExpiry(after timeout: Duration) -> Instant? {
        head < entries.count ? entries[head].at + timeout : nil
    }

    mutating func popExpired(now: Instant, timeout: Duration) -> (id: NodeID, at: Instant)? {
        guard head < entries.count, now >= entries[head].at + timeout else { return nil }
        defer {
            head += 1
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }
        return entries[head]
    }
}

extension GossipNode {
    /// Forgets members dead or left for `tombstoneTimeout`, unless they changed since.
    func reapTombstones(now: Instant) {
        while let (id, at) = tombstones.popExpired(now: now, timeout: config.tombstoneTimeout) {
            guard let slot = table.slot(named: id.name), slot != 0 else { continue }
            let record = table[slot]
            guard record.id == id, !record.isLive, table.goneSince(slot) == at else { continue }
            let last = table.count - 1
            table.remove(slot)
            if slot != last {
                let moved = table[slot].id.uid
                probeRotation.replace(ProbeTarget(slot: last, uid: moved), with: ProbeTarget(slot: slot, uid: moved))
            }
        }
    }
}
