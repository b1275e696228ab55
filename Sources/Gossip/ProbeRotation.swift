/// The probe order: SWIM's randomized round-robin (§4.3), shared by the whole mesh.
///
/// Every node ranks the live members, itself included, by a hash of each member's uid and
/// the current pass, and at shared tick k probes the member 1 + (k mod (n − 1)) ranks after
/// itself. Nodes that agree on the members and on the tick probe a permutation of the mesh
/// at every tick: each member is probed by exactly one node per period, so the first probe
/// after a crash comes within a period, where independent random orders give an exponential
/// wait (mean one period, a tail of several). Each node still visits every member at least
/// once per pass, in an order that changes with the pass, and a member that joins lands at
/// a random rank. Nodes whose ticks disagree probe in effectively independent random orders,
/// as in plain SWIM.
struct ProbeRotation {
    /// Live members, this node included, in rank order for `pass`.
    private var ring: [ProbeTarget] = []
    /// Members that became live since the ring was ranked; merged at the next probe.
    private var arrivals: [ProbeTarget] = []
    private var pass: Int64?
    private var rankedLiveCount = 0
    private var ownRank = 0

    /// A pass is the power of two at or above n − 1 ticks, so nodes whose member counts
    /// differ by a few still agree on its boundaries.
    static func passLength(members: Int) -> Int64 {
        var length: Int64 = 1
        while length < Int64(members - 1) { length <<= 1 }
        return length
    }

    /// The rank key of a member in a pass: the same at every node.
    static func key(uid: UInt64, pass: Int64) -> UInt64 {
        var salt = SplitMix64(seed: UInt64(bitPattern: pass))
        var mix = SplitMix64(seed: uid ^ salt.next())
        return mix.next()
    }

    mutating func insert(_ target: ProbeTarget) {
        arrivals.appendGrowingGently(target)
    }

    /// Every entry equal to `old` becomes `new`, for the rare moves of the member table.
    mutating func replace(_ old: ProbeTarget, with new: ProbeTarget) {
        for index in ring.indices where ring[index] == old { ring[index] = new }
        for index in arrivals.indices where arrivals[index] == old { arrivals[index] = new }
    }

    /// The member to probe at shared tick `tick`, or nil while this node is alone.
    /// `liveCount` counts the live members, this node included; `liveUID` gives the full uid
    /// of the member an entry names, or nil once that entry no longer names a live member.
    mutating func target(tick: Int64, liveCount: Int, liveUID: (ProbeTarget) -> UInt64?) -> ProbeTarget? {
        let length = Self.passLength(members: liveCount)
        let pass = tick >= 0 ? tick / length : (tick + 1) / length - 1
        if pass != self.pass || !arrivals.isEmpty || liveCount != rankedLiveCount {
            rank(pass: pass, liveCount: liveCount, liveUID: liveUID)
        }
        guard ring.count > 1 else { return nil }
        var chosen = ring[index(tick: tick, passLength: length)]
        if liveUID(chosen) == nil {
            rank(pass: pass, liveCount: liveCount, liveUID: liveUID)
            guard ring.count > 1 else { return nil }
            chosen = ring[index(tick: tick, passLength: length)]
        }
        return chosen
    }

    private func index(tick: Int64, passLength: Int64) -> Int {
        let inPass = Int(((tick % passLength) + passLength) % passLength)
        return (ownRank + 1 + inPass % (ring.count - 1)) % ring.count
    }

    /// Drops members no longer live and puts the arrivals at their ranks (a binary search
    /// each); a new pass reshuffles the whole order.
    private mutating func rank(pass: Int64, liveCount: Int, liveUID: (ProbeTarget) -> UInt64?) {
        if pass != self.pass {
            let keyed = (ring + arrivals).compactMap { target in
                liveUID(target).map { (key: Self.key(uid: $0, pass: pass), target: target) }
            }
            ring.removeAll(keepingCapacity: true)
            // A member that died and came back may be listed twice; its copies share a key.
            for entry in keyed.sorted(by: { $0.key < $1.key }) where ring.last != entry.target {
                ring.append(entry.target)
            }
        } else {
            if ring.count + arrivals.count != liveCount { ring.removeAll { liveUID($0) == nil } }
            for arrival in arrivals {
                guard let uid = liveUID(arrival) else { continue }
                let key = Self.key(uid: uid, pass: pass)
                var low = 0, high = ring.count
                while low < high {
                    let middle = (low + high) / 2
                    if Self.key(uid: liveUID(ring[middle]) ?? 0, pass: pass) < key { low = middle + 1 } else { high = middle }
                }
                if low < ring.count && ring[low] == arrival { continue }
                ring.insert(arrival, at: low)
            }
        }
        arrivals.removeAll(keepingCapacity: true)
        self.pass = pass
        rankedLiveCount = liveCount
        ownRank = ring.firstIndex { $0.slot == 0 } ?? 0
    }
}
