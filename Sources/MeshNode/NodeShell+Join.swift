import Gossip
import NIOCore

/// Joining through the seeds: resolved again while names may change, retried while no
/// other member is alive.
extension NodeShell {
    /// Resolves the seeds again (a DNS seed may list other pods now) and tells the core when
    /// the list changed, or when no seed resolved yet.
    func resolveSeedsAndJoin() async {
        let resolved = await resolver.resolve(settings.seeds, logger: logger)
        try? await loop.submit {
            let me = self.gossip.localMember.address
            let addresses = resolved.map { NodeAddress(host: $0.host, port: UInt16($0.port)) }.filter { $0 != me }
            guard !addresses.isEmpty, addresses != self.resolvedSeeds, !self.hasLeft else { return }
            self.resolvedSeeds = addresses
            self.logger.info("joining through seeds", metadata: ["seeds": "\(addresses.map(\.description))"])
            self.run { node, now in node.join(seeds: addresses, now: now) }
            self.scheduleJoinRetry(after: Self.firstJoinRetry)
        }.get()
    }

    static let firstJoinRetry = TimeAmount.milliseconds(500)

    /// While no other member is alive, joins again through the seeds, backing off from
    /// 0.5 s to the core's rejoin interval: a seed that was not up yet (nodes started
    /// together, a seed pod still starting) is found within a second of coming up.
    func scheduleJoinRetry(after delay: TimeAmount) {
        joinRetry?.cancel()
        joinRetryDelay = delay
        joinRetry = loop.scheduleTask(in: delay) { [self] in
            guard !hasLeft, !resolvedSeeds.isEmpty else { return }
            let me = gossip.localMember.id
            if gossip.members.contains(where: { $0.id != me && $0.isLive }) {
                scheduleJoinRetry(after: Self.firstJoinRetry)
                return
            }
            logger.debug("no other member yet; joining through the seeds again")
            let seeds = resolvedSeeds
            run { node, now in node.join(seeds: seeds, now: now) }
            let ceiling = TimeAmount.nanoseconds(config.rejoinInterval.components.seconds * 1_000_000_000)
            scheduleJoinRetry(after: min(joinRetryDelay * 2, max(ceiling, Self.firstJoinRetry)))
        }
    }
}
