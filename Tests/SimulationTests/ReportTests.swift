import Foundation
import Testing
@testable import Simulation

@Suite struct ReportTests {
    static let settledKeys = [
        "nodes", "seed", "detection_p50_s", "detection_p99_s", "detection_max_s", "undetected_crashes",
        "false_suspicions", "false_deaths", "rumor_to_all_p99_s", "rumor_to_all_max_periods",
        "msgs_per_node_per_s", "bytes_per_node_per_s", "partition_heal_converge_s", "wall_s",
    ]

    static func smallRun() throws -> SimulationReport {
        var c = PropertyTests.cluster(nodes: 12, duration: 60)
        c.crashCount = 1
        c.rumors = 2
        var sim = try Simulator(config: c)
        return try sim.run()
    }

    @Test func jsonHasEverySettledKeyAndNullForAPartitionThatNeverHappened() throws {
        let r = try Self.smallRun()
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        for key in Self.settledKeys {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["nodes"] as? Int == 12)
        #expect(object["partition_heal_converge_s"] is NSNull)
        #expect((object["msgs_per_node_per_s"] as? Double ?? 0) > 0)
        #expect((object["detection_p99_s"] as? Double ?? 0) > 0)
    }

    @Test func episodesOfSlowNodesCountOncePerIncarnationAndNodesOnce() {
        var tracker = DetectionTracker()
        for (subject, incarnation, slow) in [(1, 0, true), (1, 0, true), (1, 1, true), (2, 0, false), (3, 0, true)] {
            tracker.suspected(subject: subject, uid: 10, incarnation: UInt64(incarnation), subjectIsRunning: true,
                              reachable: true, subjectIsSlow: slow)
        }
        tracker.suspected(subject: 4, uid: 10, incarnation: 0, subjectIsRunning: true, reachable: false, subjectIsSlow: true)
        #expect(tracker.falseSuspicions == 5)
        #expect(tracker.falseSuspicionsOfSlowNodes == 4)
        #expect(tracker.falseSuspicionEpisodes == 4)
        #expect(tracker.falseSuspicionEpisodesOfSlowNodes == 3)
        #expect(tracker.slowNodesFalselySuspected == 2)
    }

    @Test func summaryAndChartDescribeTheRun() throws {
        let r = try Self.smallRun()
        let text = r.summary()
        #expect(text.contains("12 nodes"))
        #expect(text.contains("crash -> dead"))
        let svg = SVGChart.render(r)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("p99"))
    }

    /// The memory limit and the peak-RSS figure read /proc/self/status; above 9.5 GiB the
    /// kernel's 8-column number leaves no space after the tab.
    @Test func memoryFiguresAreReadAtEverySize() {
        let status = "Name:\tmesh-sim\nVmHWM:\t22484980 kB\nVmRSS:\t    1384 kB\n"
        #expect(ProcessUsage.mebibytes("VmHWM:", inStatus: status) == 22484980.0 / 1024)
        #expect(ProcessUsage.mebibytes("VmRSS:", inStatus: status) == 1384.0 / 1024)
        #expect(ProcessUsage.mebibytes("VmSwap:", inStatus: status) == nil)
    }

    @Test func percentilesUseNearestRank() {
        let samples = (1...100).map(Double.init)
        #expect(Stats.percentile(samples, 0.5) == 50)
        #expect(Stats.percentile(samples, 0.99) == 99)
        #expect(Stats.percentile([3], 0.99) == 3)
        #expect(Stats.percentile([], 0.5) == nil)
    }
}
