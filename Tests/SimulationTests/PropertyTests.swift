import Testing
@testable import Simulation

/// The protocol's properties, checked on small clusters in virtual time.
@Suite struct PropertyTests {
    /// A small LAN cluster with the real LAN timing, short enough for a debug build.
    static func cluster(nodes: Int = 24, duration: Double = 90, seed: UInt64 = 7) -> SimulationConfig {
        var c = SimulationConfig()
        c.nodes = nodes
        c.duration = duration
        c.seed = seed
        c.warmup = 15
        c.detectionWindow = 30
        c.network.latencyMs = 5
        return c
    }

    @Test func everyCrashIsDetectedByEverySurvivor() throws {
        var c = Self.cluster()
        c.crashCount = 3
        c.network.loss = 0.02
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.crashes == 3)
        #expect(r.undetectedCrashes == 0)
        #expect(r.undetectedPairs == 0)
        // Every survivor contributes one sample per crash (24 nodes, the victims excluded).
        #expect(r.detectionSamples.count == 23 + 22 + 21)
        #expect((r.detectionMax ?? .infinity) < 30)
    }

    /// The shared probe rotation probes every member about once per period, so a crash is
    /// probed within a period and seen dead by everyone a fixed budget later: the period,
    /// the probe and its relays (one more period), the confirmed suspicion's minimum (2 s).
    /// Independent random orders would leave the first probe to an exponential wait.
    @Test func everyCrashIsSeenDeadWithinAboutFourPeriods() throws {
        var c = Self.cluster(nodes: 48, duration: 150)
        c.crashCount = 8
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.undetectedCrashes == 0)
        #expect(r.falseDeaths == 0)
        #expect((r.detectionMax ?? .infinity) < 4.5, "slowest detection \(r.detectionMax ?? .infinity) s")
    }

    /// Nodes started together through one seed (a rollout, `dev up`) know each other
    /// within about a second on the LAN profile, not after the next full push-pull.
    @Test(arguments: [16, 32])
    func nodesStartedTogetherSeeEachOtherWithinASecondOrSo(nodes: Int) throws {
        for seed: UInt64 in 1...4 {
            let converged = try #require(try Self.startedTogether(nodes: nodes, over: 0.05, seed: seed),
                                         "seed \(seed): never converged")
            #expect(converged < 1.5, "seed \(seed): \(nodes) nodes took \(converged) s")
        }
    }

    /// 64 nodes started over a second: gossip sends each join a bounded number of times and
    /// may miss a (node, member) pair (seeds 4 and 7 here did); the census finds the gap
    /// before the next scheduled push-pull would.
    @Test func sixtyFourNodesStartedOverASecondSeeEachOtherWithinTwo() throws {
        for seed: UInt64 in 1...8 {
            let converged = try #require(try Self.startedTogether(nodes: 64, over: 1, seed: seed),
                                         "seed \(seed): never converged")
            #expect(converged < 2, "seed \(seed): 64 nodes took \(converged) s")
        }
    }

    /// Seconds until every node sees every other alive, `nodes` started within `spread`
    /// seconds through one seed on the LAN profile at loopback latency (join-32.yaml).
    static func startedTogether(nodes: Int, over spread: Double, seed: UInt64) throws -> Double? {
        var c = cluster(nodes: nodes, duration: 8, seed: seed)
        c.warmup = 5
        c.joinSpread = spread
        c.seedCount = 1
        c.network.latencyMs = 0.2
        var sim = try Simulator(config: c)
        return try sim.run().joinConvergeSeconds
    }

    @Test func noFalseDeathsWithoutLoss() throws {
        var c = Self.cluster()
        c.crashCount = 2
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.falseDeaths == 0)
        #expect(r.falseSuspicions == 0)
        #expect(r.undetectedCrashes == 0)
    }

    @Test func everyNodeSeesEveryOtherAliveAfterPartitionHeals() throws {
        var c = Self.cluster(duration: 120)
        c.partitions = [.init(at: 30, heal: 60, groups: [0.5, 0.5])]
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.partitions == 1)
        // The halves declared each other dead while split: true verdicts, not false ones.
        #expect(r.suspicions > 0)
        #expect(r.falseDeaths == 0)
        #expect(r.partitionsUnconverged == 0)
        let converge = try #require(r.partitionHealConvergeSeconds)
        #expect(converge < 60)
    }

    @Test func aRumorReachesEveryAliveNode() throws {
        var c = Self.cluster(duration: 60)
        c.rumors = 4
        c.network.loss = 0.05
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.rumors == 4)
        #expect(r.rumorsIncomplete == 0)
        #expect(r.rumorToAll.count == 4)
        for curve in r.rumorCurves {
            #expect(curve.targets == 24)
            #expect(curve.deliveries.count == 24)
        }
    }

    @Test func aRestartedNodeRejoinsAsANewProcess() throws {
        var c = Self.cluster(duration: 120)
        c.crashes = [.init(node: 5, at: 20, restartAt: 50)]
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.crashes == 1)
        #expect(r.restarts == 1)
        #expect(r.undetectedCrashes == 0)
        #expect(r.falseDeaths == 0)
        #expect(r.joinConvergeSeconds != nil)
    }

    @Test func lifeguardKeepsSlowNodesFromAccusingHealthyOnes() throws {
        var c = Self.cluster()
        c.network.loss = 0.05
        c.slow.fraction = 0.1
        c.crashCount = 1
        var on = try Simulator(config: c)
        let withLifeguard = try on.run()
        c.lifeguard = false
        var off = try Simulator(config: c)
        let without = try off.run()
        #expect(withLifeguard.slowNodes == 2)
        #expect(withLifeguard.falseDeaths == 0)
        #expect(withLifeguard.undetectedCrashes == 0)
        let healthyOn = withLifeguard.falseSuspicions - withLifeguard.falseSuspicionsOfSlowNodes
        let healthyOff = without.falseSuspicions - without.falseSuspicionsOfSlowNodes
        #expect(healthyOff > 0)
        #expect(healthyOn * 10 <= healthyOff)
    }

    @Test func theSameSeedGivesTheSameReport() throws {
        var c = Self.cluster(nodes: 16, duration: 60)
        c.crashCount = 1
        c.rumors = 2
        c.network.loss = 0.05
        c.slow.fraction = 0.1
        let first = try Self.deterministicPart(c)
        let second = try Self.deterministicPart(c)
        #expect(first == second)
        c.seed += 1
        let other = try Self.deterministicPart(c)
        #expect(other != first)
    }

    /// The report without the figures that depend on the machine.
    static func deterministicPart(_ c: SimulationConfig) throws -> SimulationReport {
        var sim = try Simulator(config: c)
        var r = try sim.run()
        r.wallSeconds = 0
        r.cpuSeconds = 0
        r.peakRSSMiB = nil
        return r
    }
}
