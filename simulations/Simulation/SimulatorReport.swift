import Gossip

extension Simulator {
    func report(observations: Observations, detection: DetectionTracker, rumors: RumorTracker,
                traffic: TrafficCounters, viewsTracked: Bool, events: Int, wallSeconds: Double) -> SimulationReport {
        let period = gossipConfig.protocolPeriod.components
        return SimulationReport(
            nodes: config.nodes,
            seed: config.seed,
            profile: config.profile,
            lifeguard: config.lifeguard,
            durationSeconds: config.duration,
            loss: config.network.loss,
            latencyMs: config.network.latencyMs,
            slowNodes: slowNodeCount,
            protocolPeriodSeconds: Double(period.seconds) + Double(period.attoseconds) / 1e18,
            crashes: observations.crashes,
            restarts: observations.restarts,
            detectionSamples: detection.samples.map(\.seconds),
            undetectedCrashes: detection.undetectedCrashes,
            undetectedPairs: detection.undetectedPairs,
            falseSuspicions: detection.falseSuspicions,
            falseSuspicionsOfSlowNodes: detection.falseSuspicionsOfSlowNodes,
            falseDeaths: detection.falseDeaths,
            suspicions: observations.suspicions,
            rumors: rumors.records.count,
            rumorsIncomplete: rumors.incomplete,
            rumorToAll: rumors.completionTimes.map(\.seconds),
            rumorCurves: rumors.records.map {
                SimulationReport.RumorCurve(deliveries: $0.deliveries.map(\.seconds), targets: $0.targets)
            },
            messagesPerNodePerSecond: traffic.messagesPerNodePerSecond,
            bytesPerNodePerSecond: traffic.bytesPerNodePerSecond,
            datagramsLost: traffic.datagramsLost,
            joinConvergeSeconds: observations.joinConverged.map(\.seconds),
            partitions: observations.partitions,
            healConvergeSeconds: observations.healConverged.map { $0.map(\.seconds) },
            churnJoins: observations.churnJoins,
            churnLeaves: observations.churnLeaves,
            viewsTracked: viewsTracked,
            events: events,
            wallSeconds: wallSeconds,
            peakRSSMiB: ProcessMemory.peakRSSMiB())
    }
}
