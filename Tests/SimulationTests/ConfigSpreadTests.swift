import Testing
@testable import Simulation

/// Config versions announced by rumor and fetched as streams over the lossy network.
@Suite struct ConfigSpreadTests {
    @Test func everyNodeHoldsEveryVersionSoonAfterItIsPublished() throws {
        var c = PropertyTests.cluster(nodes: 48, duration: 90)
        c.network.loss = 0.05
        c.configVersions = 5
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.configVersions == 5)
        #expect(r.configIncomplete == 0)
        #expect(r.configToAll.count == 5)
        #expect((r.configToAll.max() ?? .infinity) < 5, "slowest version took \(r.configToAll.max() ?? .infinity) s")
    }

    /// A node cut off when a version is published gets it once the partition heals: its
    /// fetch falls back on any node that holds the version.
    @Test func aNodeCutOffGetsTheVersionAfterTheHeal() throws {
        var c = PropertyTests.cluster(nodes: 24, duration: 120)
        c.configVersions = 1
        // The version goes out at 52.5 s (the middle of the measured part), while a fifth of
        // the nodes, the manager not among them, is cut off from 45 s to 65 s.
        c.partitions = [SimulationConfig.PartitionSpec(at: 45, heal: 65, groups: [0.8, 0.2])]
        var sim = try Simulator(config: c)
        let r = try sim.run()
        #expect(r.configIncomplete == 0)
        let slowest = r.configToAll.max() ?? .infinity
        #expect(slowest > 5, "the cut-off nodes could not have held it before the heal (\(slowest) s)")
        #expect(slowest < 25, "the version reached the healed nodes only after \(slowest) s")
    }
}
