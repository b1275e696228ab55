/// What a run measured. `json()` gives the settled machine-readable form,
/// `summary()` the readable one.
public struct SimulationReport: Sendable, Equatable {
    public var nodes: Int
    public var seed: UInt64
    public var profile: String
    public var lifeguard: Bool
    public var durationSeconds: Double
    /// Virtual seconds actually simulated: less than the duration when a wall-clock limit stopped the run.
    public var reachedSeconds: Double
    /// Why the run stopped early (a wall-clock or memory limit), nil when it completed.
    public var stopReason: String?
    public var completed: Bool { stopReason == nil }
    public var loss: Double
    public var latencyMs: Double
    public var slowNodes: Int
    public var protocolPeriodSeconds: Double

    public var crashes: Int
    public var restarts: Int
    /// Seconds from a crash to the "dead" verdict, one sample per (crash, survivor).
    public var detectionSamples: [Double]
    public var undetectedCrashes: Int
    public var undetectedPairs: Int
    public var falseSuspicions: Int
    /// Distinct false suspicions: (process, incarnation) pairs falsely suspected by at least one node.
    public var falseSuspicionEpisodes: Int
    public var falseSuspicionsOfSlowNodes: Int
    public var falseSuspicionEpisodesOfSlowNodes: Int
    public var slowNodesFalselySuspected: Int
    public var falseDeaths: Int
    /// The first false deaths (at most 20): when, who declared whom dead, at which incarnation.
    public var falseDeathSamples: [FalseDeathSample]
    public var suspicions: Int

    public var rumors: Int
    public var urgentRumors: Bool
    public var rumorsIncomplete: Int
    /// Seconds from injection until every targeted node delivered it, per completed rumor.
    public var rumorToAll: [Double]
    /// Per rumor: seconds from injection of each delivery, and how many nodes it targeted.
    public var rumorCurves: [RumorCurve]

    /// Config versions published (`ConfigSpread`), those not held by every node at the end,
    /// and seconds from publishing until every node running then held each.
    public var configVersions: Int
    public var configIncomplete: Int
    public var configToAll: [Double]
    /// Seconds from publishing until each node held it, over every version and node.
    public var configDeliveries: [Double]

    public var messagesPerNodePerSecond: Double
    public var bytesPerNodePerSecond: Double
    public var datagramsLost: Int
    /// Streams that failed to connect or to deliver their request in time, after the warm-up.
    public var streamsFailed: Int
    public var joinConvergeSeconds: Double?
    public var partitions: Int
    /// Per healed partition: seconds from heal until every view is complete again (nil: never).
    public var healConvergeSeconds: [Double?]
    public var churnJoins: Int
    public var churnLeaves: Int
    /// Push-pulls the nodes started (joins and re-joins included), whole run.
    public var pushPulls: Int
    /// Push-pulls started because a peer's census showed members the node lacked, whole run.
    public var censusExchanges: Int
    public var viewsTracked: Bool

    public var events: Int
    public var wallSeconds: Double
    /// CPU seconds (user + system) the run took; steadier than wall time on a shared machine.
    public var cpuSeconds: Double
    public var peakRSSMiB: Double?

    public struct FalseDeathSample: Sendable, Equatable {
        public var time: Double
        public var observer: String
        public var subject: String
        public var incarnation: UInt64
    }

    public struct RumorCurve: Sendable, Equatable {
        public var deliveries: [Double]
        public var targets: Int
    }

    public var detectionP50: Double? { Stats.percentile(detectionSamples, 0.50) }
    public var detectionP99: Double? { Stats.percentile(detectionSamples, 0.99) }
    public var detectionMax: Double? { detectionSamples.max() }
    public var configToAllP50: Double? { Stats.percentile(configToAll, 0.50) }
    public var configToAllP99: Double? { Stats.percentile(configToAll, 0.99) }
    public var configDeliveryP50: Double? { Stats.percentile(configDeliveries, 0.50) }
    public var configDeliveryP99: Double? { Stats.percentile(configDeliveries, 0.99) }
    public var rumorToAllP50: Double? { Stats.percentile(rumorToAll, 0.50) }
    public var rumorToAllP99: Double? { Stats.percentile(rumorToAll, 0.99) }
    public var rumorToAllMax: Double? { rumorToAll.max() }
    /// The slowest rumor's time to all, in protocol periods.
    public var rumorToAllMaxPeriods: Double? { rumorToAllMax.map { $0 / protocolPeriodSeconds } }
    /// The slowest convergence after a heal; nil without a partition or if one never converged.
    public var partitionHealConvergeSeconds: Double? {
        guard !healConvergeSeconds.isEmpty, !healConvergeSeconds.contains(where: { $0 == nil }) else { return nil }
        return healConvergeSeconds.compactMap { $0 }.max()
    }
    public var partitionsUnconverged: Int { healConvergeSeconds.filter { $0 == nil }.count }
}

enum Stats {
    /// Nearest-rank percentile of unsorted samples; nil when there are none.
    static func percentile(_ samples: [Double], _ p: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
