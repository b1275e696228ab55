import Gossip

extension NodeShell {
    /// Copies the core's protocol counters into the figures and the Prometheus counters.
    /// Event loop only.
    func syncStats() {
        let stats = gossip.stats
        guard stats != lastStats else { return }
        metrics.probes.increment(by: Int64(stats.probesSent - lastStats.probesSent))
        metrics.indirectProbes.increment(by: Int64(stats.indirectProbesSent - lastStats.indirectProbesSent))
        metrics.suspicionsRaised.increment(by: Int64(stats.suspicionsRaised - lastStats.suspicionsRaised))
        metrics.refutations.increment(by: Int64(stats.refutations - lastStats.refutations))
        metrics.censusExchanges.increment(by: Int64(stats.censusExchanges - lastStats.censusExchanges))
        let undecodable = (stats.decodeErrors + stats.unknownMessages) - (lastStats.decodeErrors + lastStats.unknownMessages)
        metrics.decodeErrors.increment(by: Int64(undecodable))
        figures.probes = Int64(stats.probesSent)
        figures.indirectProbes = Int64(stats.indirectProbesSent)
        figures.suspicionsRaised = Int64(stats.suspicionsRaised)
        figures.refutations = Int64(stats.refutations)
        figures.censusExchanges = Int64(stats.censusExchanges)
        figures.decodeErrors += Int64(undecodable)
        lastStats = stats
    }

    /// Lifeguard's local health score: 0 is healthy.
    var healthScore: Int { gossip.stats.awarenessScore }
}
