/// Which busts a node has applied, and the recent ones it can hand to a peer that missed them.
///
/// Per origin it keeps the head: the highest sequence up to which it has applied every bust
/// (the bust epoch of that origin), plus the sequences applied above a gap. The heads of all
/// origins are the node's bust vector, which a catch-up exchange carries. The log keeps the
/// last `capacity` busts, for peers that missed them.
///
/// Pure: no clock, no I/O. The node's `CacheBustAgent` drives it on the event loop.
struct BustLedger {
    private(set) var heads: [String: UInt64] = [:]
    private var above: [String: Set<UInt64>] = [:]
    private var log: [CacheBust] = []
    private var logStart = 0
    /// Busts applied since start, catch-ups of everything included.
    private(set) var applied = 0
    let capacity: Int
    /// Origins whose heads are kept at most; the one that advanced least recently goes first.
    let maxOrigins: Int
    private var touched: [String: UInt64] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int = 1024, maxOrigins: Int = 1024) {
        self.capacity = max(1, capacity)
        self.maxOrigins = max(1, maxOrigins)
    }

    func hasApplied(_ id: BustID) -> Bool {
        id.sequence <= (heads[id.origin] ?? 0) || above[id.origin]?.contains(id.sequence) == true
    }

    /// The next sequence for busts this node makes as `origin`.
    func nextSequence(origin: String) -> UInt64 {
        max(heads[origin] ?? 0, above[origin]?.max() ?? 0) + 1
    }

    /// Records a bust as applied and logs it; false when it was applied already.
    mutating func admit(_ bust: CacheBust) -> Bool {
        let id = bust.id
        guard !hasApplied(id) else { return false }
        var head = heads[id.origin] ?? 0
        var pending = above[id.origin] ?? []
        if id.sequence == head + 1 {
            head += 1
            while pending.remove(head + 1) != nil { head += 1 }
        } else {
            pending.insert(id.sequence)
        }
        heads[id.origin] = head > 0 ? head : nil
        above[id.origin] = pending.isEmpty ? nil : pending
        applied += 1
        touch(id.origin)
        log.append(bust)
        if log.count - logStart > capacity { dropOldest() }
        return true
    }

    /// The logged busts, oldest first.
    var recent: ArraySlice<CacheBust> { log[logStart...] }

    /// The logged busts a peer whose vector is `peer` has not applied, oldest first.
    func missing(for peer: [String: UInt64]) -> [CacheBust] {
        log[logStart...].filter { $0.id.sequence > (peer[$0.id.origin] ?? 0) }
    }

    /// Origins where a peer's vector is ahead of this node's heads: busts this node has not
    /// applied and cannot get any more.
    func behind(_ peer: [String: UInt64]) -> [String] {
        peer.filter { origin, head in head > (heads[origin] ?? 0) }.map(\.key).sorted()
    }

    /// True when this node's vector has a bust that `peer` has not applied.
    func isAhead(of peer: [String: UInt64]) -> Bool {
        heads.contains { origin, head in head > (peer[origin] ?? 0) }
            || above.contains { origin, sequences in sequences.contains { $0 > (peer[origin] ?? 0) } }
    }

    /// After a bust of everything (or, on a node that holds nothing, without one): takes the
    /// peer's heads where they are ahead, so the busts this node missed count as applied.
    mutating func adopt(_ peer: [String: UInt64]) {
        for (origin, head) in peer where head > (heads[origin] ?? 0) {
            heads[origin] = head
            if var pending = above[origin] {
                pending = pending.filter { $0 > head }
                var top = head
                while pending.remove(top + 1) != nil { top += 1 }
                heads[origin] = top
                above[origin] = pending.isEmpty ? nil : pending
            }
            touch(origin)
        }
    }

    /// Counts a bust of everything made for a catch-up.
    mutating func countCatchUp() { applied += 1 }

    private mutating func dropOldest() {
        logStart += 1
        if logStart > 64, logStart * 2 > log.count {
            log.removeFirst(logStart)
            logStart = 0
        }
    }

    private mutating func touch(_ origin: String) {
        clock += 1
        touched[origin] = clock
        guard touched.count > maxOrigins, let stalest = touched.min(by: { $0.value < $1.value })?.key else { return }
        touched[stalest] = nil
        heads[stalest] = nil
        above[stalest] = nil
    }
}
