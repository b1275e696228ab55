import Foundation
import Testing
@testable import Simulation

@Suite struct ScenarioTests {
    @Test func aScenarioOverridesOnlyWhatItNames() throws {
        let s = try Scenario.parse(yaml: """
            name: split
            nodes: 200
            network: { loss: 0.01, latency_ms: 10 }
            slow: { fraction: 0.05 }
            crash: { count: 4, restart_after: 30 }
            partitions:
              - { at: 40, heal: 70 }
            churn: { joins_per_minute: 6 }
            """)
        let c = s.applied(to: SimulationConfig())
        #expect(c.nodes == 200)
        #expect(c.network.loss == 0.01)
        #expect(c.network.latencyMs == 10)
        #expect(c.network.jitter == SimulationConfig().network.jitter)
        #expect(c.slow.fraction == 0.05)
        #expect(c.crashCount == 4)
        #expect(c.restartAfter == 30)
        #expect(c.partitions == [.init(at: 40, heal: 70, groups: [0.5, 0.5])])
        #expect(c.churn.joinsPerMinute == 6)
        #expect(c.churn.leavesPerMinute == 0)
        #expect(c.duration == SimulationConfig().duration)
    }

    @Test func aMisspeltKeyIsAnErrorThatNamesIt() {
        #expect(throws: ConfigurationError.self) { try Scenario.parse(yaml: "nodes: 10\nlatency: 20\n") }
        do {
            _ = try Scenario.parse(yaml: "network: { latency: 20 }\n")
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect("\(error)".contains("network.latency"))
        }
    }

    @Test func aWrongTypeIsAnErrorThatNamesTheKey() {
        do {
            _ = try Scenario.parse(yaml: "nodes: many\n")
            Issue.record("a non-number node count was accepted")
        } catch {
            #expect("\(error)".contains("nodes"))
        }
    }

    @Test func impossibleRunsAreRefused() {
        var c = SimulationConfig()
        c.network.loss = 1.5
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = SimulationConfig()
        c.partitions = [.init(at: 50, heal: 40)]
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = SimulationConfig()
        c.profile = "moon"
        #expect(throws: ConfigurationError.self) { _ = try Simulator(config: c) }
    }

    @Test func everyShippedScenarioParsesAndValidates() throws {
        let dir = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("simulations/scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 5)
        for file in files {
            let c = try Scenario.load(path: dir.appendingPathComponent(file).path).applied(to: SimulationConfig())
            try c.validate()
        }
    }
}
