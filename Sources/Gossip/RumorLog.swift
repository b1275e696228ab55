/// The rumors this node has delivered: the newest version per subject, kept for a
/// retention window (bounded in count) so repeats are ignored and push-pull can hand
/// recent announcements to a late joiner.
struct RumorLog {
    private struct Entry {
        var rumor: Rumor
        var at: Instant
    }

    private var entries: [String: Entry] = [:]
    /// Every delivery in order, with its time; a later version of the subject supersedes one.
    private var arrivals: [(subject: String, version: UInt64, at: Instant)] = []
    private var head = 0
    let retention: Duration
    let capacity: Int

    init(retention: Duration, capacity: Int) {
        self.retention = retention
        self.capacity = max(1, capacity)
    }

    /// True if this version of the subject is newer than anything delivered so far.
    func isNew(_ rumor: Rumor) -> Bool {
        guard let seen = entries[rumor.subject] else { return true }
        return rumor.version > seen.rumor.version
    }

    mutating func record(_ rumor: Rumor, at now: Instant) {
        expire(now: now)
        entries[rumor.subject] = Entry(rumor: rumor, at: now)
        arrivals.append((rumor.subject, rumor.version, now))
        while entries.count > capacity, head < arrivals.count {
            dropOldest()
        }
    }

    /// Recent rumors, oldest first.
    func recent() -> [Rumor] {
        var out: [Rumor] = []
        out.reserveCapacity(entries.count)
        for index in head..<arrivals.count {
            let (subject, version, _) = arrivals[index]
            if let entry = entries[subject], entry.rumor.version == version { out.append(entry.rumor) }
        }
        return out
    }

    /// Forgets the rumors delivered more than `retention` ago. A superseded delivery that is
    /// still recent may stay listed until it expires; `recent()` skips it.
    mutating func expire(now: Instant) {
        while head < arrivals.count, now - arrivals[head].at >= retention {
            dropOldest()
        }
        if head > 64 && head * 2 > arrivals.count {
            arrivals.removeFirst(head)
            head = 0
        }
    }

    private mutating func dropOldest() {
        let (subject, version, _) = arrivals[head]
        head += 1
        if let entry = entries[subject], entry.rumor.version == version { entries[subject] = nil }
    }
}
