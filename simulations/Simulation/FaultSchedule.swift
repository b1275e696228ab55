/// One thing the schedule does to the cluster at a given virtual instant.
enum FaultAction: Equatable {
    /// The process in `slot` stops at once, without a word (kill -9).
    case crash(slot: Int)
    /// A new process (new uid, same name and address) starts in `slot` and joins.
    case restart(slot: Int)
    /// The network splits into the groups of `partitions[index]`.
    case partition(index: Int)
    case heal(index: Int)
    /// A new node (a new slot) joins through the seeds.
    case churnJoin
    /// A random running node leaves gracefully and stops shortly after.
    case churnLeave
}

struct TimedFault: Equatable {
    var time: SimTime
    var action: FaultAction
}

/// The faults of a run, decided up front from the configuration and its seed.
struct FaultSchedule {
    private(set) var faults: [TimedFault] = []
    /// Slots crashed on purpose at some point (random or given); churn leaves pick elsewhere.
    private(set) var crashVictims: Set<Int> = []
    /// How many nodes churn adds, so slot storage can be reserved up front.
    private(set) var churnJoins = 0

    /// Seconds between a churn leave and the stop of its process.
    static let leaveGrace: Double = 1

    init(config: SimulationConfig) {
        var random = SeededRandom(seed: config.seed, stream: 0x6661_756C_7473)
        let faultyStart = config.warmup
        let faultyEnd = max(faultyStart, config.duration - config.detectionWindow)

        if config.crashCount > 0 {
            var candidates = Array(0..<config.nodes)
            candidates.shuffle(using: &random)
            let victims = candidates.prefix(config.crashCount)
            let spacing = (faultyEnd - faultyStart) / Double(config.crashCount)
            for (i, slot) in victims.enumerated() {
                let at = faultyStart + spacing * (Double(i) + 0.5)
                add(at, .crash(slot: slot))
                if let after = config.restartAfter, at + after < config.duration {
                    add(at + after, .restart(slot: slot))
                }
                crashVictims.insert(slot)
            }
        }
        for crash in config.crashes {
            add(crash.at, .crash(slot: crash.node))
            if let restart = crash.restartAt, restart < config.duration {
                add(restart, .restart(slot: crash.node))
            }
            crashVictims.insert(crash.node)
        }
        for (index, p) in config.partitions.enumerated() {
            add(p.at, .partition(index: index))
            if p.heal < config.duration { add(p.heal, .heal(index: index)) }
        }
        let churnSpan = faultyEnd - faultyStart
        if config.churn.joinsPerMinute > 0 {
            let count = Int((churnSpan / 60 * config.churn.joinsPerMinute).rounded(.down))
            for i in 0..<count {
                add(faultyStart + churnSpan * (Double(i) + 0.5) / Double(count), .churnJoin)
            }
            churnJoins = count
        }
        if config.churn.leavesPerMinute > 0 {
            let count = Int((churnSpan / 60 * config.churn.leavesPerMinute).rounded(.down))
            for i in 0..<count {
                add(faultyStart + churnSpan * (Double(i) + 0.25) / Double(count), .churnLeave)
            }
        }
        faults.sort { $0.time < $1.time }
    }

    private mutating func add(_ seconds: Double, _ action: FaultAction) {
        faults.append(TimedFault(time: .seconds(seconds), action: action))
    }
}
