import Gossip

extension Simulator {
    func report(observations: Observations, detection: DetectionTracker, rumors: RumorTracker, configs: RumorTracker,
                traffic: TrafficCounters, viewsTracked: Bool, events: Int, wallSeconds: Double,
                cpuSeconds: Double) -> SimulationReport {
        let period = gossipConfig.protocolPeriod.components
        return SimulationReport(
            nodes: config.nodes,
            seed: config.seed,
            profile: config.profile,
            lifeguard: config.lifeguard,
            durationSeconds: config.duration,
            reachedSeconds: observations.reached.seconds,
            stopReason: observations.stopReason,
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
            falseSuspicionEpisodes: detection.falseSuspicionEpisodes,
            falseSuspicionsOfSlowNodes: detection.falseSuspicionsOfSlowNodes,
            falseSuspicionEpisodesOfSlowNodes: detection.falseSuspicionEpisodesOfSlowNodes,
            slowNodesFalselySuspected: detection.slowNodesFalselySuspected,
            falseDeaths: detection.falseDeaths,
            falseDeathSamples: detection.falseDeathRecords.map {
                SimulationReport.FalseDeathSample(time: $0.time.seconds, observer: "node-\($0.observer)",
                                                  subject: "node-\($0.subject)", incarnation: $0.incarnation)
            },
            suspicions: observations.suspicions,
            rumors: rumors.records.count,
            urgentRumors: config.urgentRumors,
            rumorsIncomplete: rumors.incomplete,
            rumorToAll: rumors.completionTimes.map(\.seconds),
            rumorCurves: rumors.records.map {
                SimulationReport.RumorCurve(deliveries: $0.deliveries.map(\.seconds), targets: $0.targets)
            },
            configVersions: configs.records.count,
            configIncomplete: configs.incomplete,
            configToAll: configs.completionTimes.map(\.seconds),
            configDeliveries: configs.records.flatMap { $0.deliveries.dropFirst().map(\.seconds) },
            messagesPerNodePerSecond: traffic.messagesPerNodePerSecond,
            bytesPerNodePerSecond: traffic.bytesPerNodePerSecond,
            datagramsLost: traffic.datagramsLost,
            streamsFailed: traffic.streamsFailed,
            joinConvergeSeconds: observations.joinConverged.map(\.seconds),
            partitions: observations.partitions,
            healConvergeSeconds: observations.healConverged.map { $0.map(\.seconds) },
            churnJoins: observations.churnJoins,
            churnLeaves: observations.churnLeaves,
            pushPulls: observations.pushPulls,
            censusExchanges: observations.censusExchanges,
            viewsTracked: viewsTracked,
            events: events,
            wallSeconds: wallSeconds,
            cpuSeconds: cpuSeconds,
            peakRSSMiB: ProcessUsage.peakRSSMiB())
    }
}
