import Gossip

/// Config versions spreading as meshd spreads them (docs/config.md): the manager (slot 0)
/// publishes a version and announces it as an urgent rumor; a node that hears of a version
/// newer than the one it holds fetches it over a stream (`TCPModel`, the network's loss and
/// latency) from the announcer, and after a failed or timed-out try from another node that
/// holds it; a try unanswered after `hedgeDelay` gets another one beside it, from another
/// holder, and so on up to `hedges` more. A node holds a version once a fetch's reply arrives.
struct ConfigSpread {
    static let subject = "meshgate.config.sim"
    /// Bytes of a fetch request: the kind, the version, the digest the asker runs, the environment.
    static let requestBytes = 48
    /// As `ConfigAgent.Settings.hedgeDelay`.
    static let hedgeDelay: SimTime = .seconds(0.2)
    /// As `ConfigAgent.Settings.hedges`: tries a fetch gets beside its first, one every `hedgeDelay`.
    static let hedges: UInt8 = 2

    /// Per slot: the version held, the newest heard of, the current fetch's try (0: none).
    private(set) var held: [UInt32] = []
    private var heard: [UInt32] = []
    private(set) var attempt: [UInt32] = []
    private var fetching: [Bool] = []
    private var origin: [Int32] = []
    private(set) var tracker = RumorTracker()

    mutating func addSlot() {
        held.append(0)
        heard.append(0)
        attempt.append(0)
        fetching.append(false)
        origin.append(0)
    }

    static func trackedSubject(_ version: UInt32) -> String { "config-v\(version)" }

    /// The manager holds `version` at `now`; the rumor to broadcast.
    mutating func published(_ version: UInt32, by manager: Int, at now: SimTime, running: [Bool]) -> Rumor {
        held[manager] = version
        heard[manager] = version
        tracker.injected(subject: Self.trackedSubject(version), origin: manager, at: now, running: running)
        return Rumor(subject: Self.subject, version: UInt64(version),
                     payload: withUnsafeBytes(of: Int32(manager).bigEndian, Array.init), urgent: true)
    }

    /// `slot` heard of `version` from `announcer`: the fetch to start, if any (source, version, try).
    mutating func heardOf(_ version: UInt32, at slot: Int, announcer: Int32) -> (source: Int32, version: UInt32, attempt: UInt32)? {
        guard version > held[slot] else { return nil }
        if version > heard[slot] {
            heard[slot] = version
            origin[slot] = announcer
        }
        guard !fetching[slot] else { return nil }
        fetching[slot] = true
        attempt[slot] &+= 1
        return (origin[slot], heard[slot], attempt[slot])
    }

    /// A reply arrived (from any try, the hedge's included): `slot` holds `version`; a newer
    /// one heard meanwhile is fetched next.
    mutating func fetched(_ version: UInt32, at slot: Int, time: SimTime) -> (source: Int32, version: UInt32, attempt: UInt32)? {
        guard fetching[slot], version > held[slot] else { return nil }
        fetching[slot] = false
        if version > held[slot] {
            for v in (held[slot] + 1)...version { tracker.delivered(subject: Self.trackedSubject(v), at: slot, time: time) }
            held[slot] = version
        }
        return heardOf(heard[slot], at: slot, announcer: origin[slot])
    }

    /// Try `tryID` failed: the next try, from a running node that holds the version.
    mutating func retry(_ slot: Int, attempt tryID: UInt32, running: [Bool], pick: (Int) -> Int)
        -> (source: Int32, version: UInt32, attempt: UInt32)?
    {
        guard tryID == attempt[slot], fetching[slot] else { return nil }
        let want = heard[slot]
        let holders = held.indices.filter { $0 != slot && running[$0] && held[$0] >= want }
        attempt[slot] &+= 1
        // Nobody reachable holds it yet: ask the announcer again.
        let source = holders.isEmpty ? origin[slot] : Int32(holders[pick(holders.count)])
        return (source, want, attempt[slot])
    }

    /// Try `tryID` has not been answered after `ConfigAgent.hedgeDelay`: one more try, from
    /// another running holder, beside it (nil when there is none).
    func hedge(_ slot: Int, attempt tryID: UInt32, running: [Bool], pick: (Int) -> Int) -> (source: Int32, version: UInt32)? {
        guard tryID == attempt[slot], fetching[slot] else { return nil }
        let want = heard[slot]
        let holders = held.indices.filter { $0 != slot && $0 != Int(origin[slot]) && running[$0] && held[$0] >= want }
        guard !holders.isEmpty else { return nil }
        return (Int32(holders[pick(holders.count)]), want)
    }

    mutating func nodeGone(slot: Int, at time: SimTime) {
        fetching[slot] = false
        attempt[slot] &+= 1
        tracker.nodeGone(slot: slot, at: time)
    }
}
