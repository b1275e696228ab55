/// Everything that defines one simulated run. Two runs with equal configurations
/// produce equal reports (apart from wall-clock figures).
public struct SimulationConfig: Sendable, Equatable {
    public var nodes: Int = 100
    /// Total virtual seconds, warm-up included.
    public var duration: Double = 120
    public var seed: UInt64 = 1
    public var profile: String = "lan"
    public var lifeguard: Bool = true

    public var network = NetworkConfig()
    public var slow = SlowNodes()

    /// Nodes join spread over this many seconds at the start (0: all at once).
    public var joinSpread: Double? = nil
    /// No fault and no rumor before this instant; load counters start here.
    public var warmup: Double = 15
    /// Random crashes leave at least this many seconds before the end for detection.
    public var detectionWindow: Double = 30

    /// Random crashes: this many victims, spread evenly over the faulty part of the run.
    public var crashCount: Int = 0
    /// When set, every random crash restarts (a new process) this many seconds later.
    public var restartAfter: Double? = nil
    /// Crashes (and restarts) at given times, by node index.
    public var crashes: [CrashSpec] = []

    public var rumors: Int = 0
    /// Broadcast the rumors as urgent (forwarded on first receipt, as for cache invalidations).
    public var urgentRumors = false
    /// Config versions the first node (the manager) publishes, spread over the run: each is
    /// announced as an urgent rumor and fetched by every node as a stream (`ConfigSpread`).
    public var configVersions: Int = 0
    /// Bytes of one fetch's reply: about a one-route delta (`bench/config-apply.sh`).
    public var configBytes: Int = 800
    public var partitions: [PartitionSpec] = []
    public var churn = ChurnSpec()

    /// Stop early after this many seconds of wall-clock time (the report says where it stopped).
    public var maxWallSeconds: Double? = nil
    /// Stop early once the process holds more than this many MiB (the report says where it stopped).
    public var maxRSSMiB: Double? = nil

    /// Seed nodes every node joins through (the first `seedCount` indexes).
    public var seedCount: Int = 3

    public init() {}

    public struct NetworkConfig: Sendable, Equatable {
        /// Probability that a datagram is lost.
        public var loss: Double = 0
        /// One-way latency.
        public var latencyMs: Double = 1
        /// Latency varies uniformly by ± this fraction.
        public var jitter: Double = 0.2
        public init() {}
    }

    public struct SlowNodes: Sendable, Equatable {
        /// Fraction of nodes that handle their inbox late.
        public var fraction: Double = 0
        /// How late (on average; each message varies by ±50%).
        public var delayMs: Double = 1000
        public init() {}
    }

    public struct CrashSpec: Sendable, Equatable {
        public var node: Int
        public var at: Double
        public var restartAt: Double?
        public init(node: Int, at: Double, restartAt: Double? = nil) {
            self.node = node
            self.at = at
            self.restartAt = restartAt
        }
    }

    public struct PartitionSpec: Sendable, Equatable {
        public var at: Double
        public var heal: Double
        /// Relative group sizes; nodes are split by index in this proportion.
        public var groups: [Double]
        public init(at: Double, heal: Double, groups: [Double] = [0.5, 0.5]) {
            self.at = at
            self.heal = heal
            self.groups = groups
        }
    }

    public struct ChurnSpec: Sendable, Equatable {
        /// New nodes joining per virtual minute.
        public var joinsPerMinute: Double = 0
        /// Running nodes leaving gracefully per virtual minute.
        public var leavesPerMinute: Double = 0
        public init() {}
        public var isActive: Bool { joinsPerMinute > 0 || leavesPerMinute > 0 }
    }

    /// Seconds over which the initial nodes join: about 100 joins per second, at least one second.
    var effectiveJoinSpread: Double {
        joinSpread ?? max(1, Double(nodes) / 100)
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension SimulationConfig {
    /// Rejects configurations that cannot describe a run, with a message that names the field.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw ConfigurationError(message) }
        }
        try require(nodes >= 1, "nodes must be at least 1 (got \(nodes))")
        try require(duration > 0, "duration must be positive (got \(duration))")
        try require((0...1).contains(network.loss), "loss must be within 0...1 (got \(network.loss))")
        try require(network.latencyMs >= 0, "latency_ms must not be negative (got \(network.latencyMs))")
        try require((0..<1).contains(network.jitter), "jitter must be within 0..<1 (got \(network.jitter))")
        try require((0...1).contains(slow.fraction), "slow fraction must be within 0...1 (got \(slow.fraction))")
        try require(slow.delayMs >= 0, "slow delay_ms must not be negative (got \(slow.delayMs))")
        if let joinSpread { try require(joinSpread >= 0, "join_spread must not be negative (got \(joinSpread))") }
        try require(warmup >= 0 && warmup < duration, "warmup must be within 0..<duration (got \(warmup))")
        try require(crashCount >= 0, "crash count must not be negative (got \(crashCount))")
        try require(crashCount <= nodes, "cannot crash \(crashCount) of \(nodes) nodes")
        try require(rumors >= 0, "rumors must not be negative (got \(rumors))")
        try require(configVersions >= 0 && configBytes > 0, "config-versions must be >= 0 and config-bytes > 0")
        try require(seedCount >= 1, "seed_count must be at least 1")
        if let restartAfter { try require(restartAfter > 0, "restart_after must be positive") }
        if let maxWallSeconds { try require(maxWallSeconds > 0, "max-wall must be positive") }
        if let maxRSSMiB { try require(maxRSSMiB > 0, "max-rss-mib must be positive") }
        for crash in crashes {
            try require((0..<nodes).contains(crash.node), "crash node \(crash.node) is not in 0..<\(nodes)")
            try require(crash.at >= 0 && crash.at < duration, "crash at \(crash.at) is outside the run")
            if let r = crash.restartAt { try require(r > crash.at, "restart at \(r) must come after the crash at \(crash.at)") }
        }
        for p in partitions {
            try require(p.heal > p.at, "a partition must heal after it starts (at \(p.at), heal \(p.heal))")
            try require(p.groups.count >= 2 && p.groups.allSatisfy { $0 > 0 }, "a partition needs at least two groups of positive size")
        }
        try require(churn.joinsPerMinute >= 0 && churn.leavesPerMinute >= 0, "churn rates must not be negative")
    }
}
