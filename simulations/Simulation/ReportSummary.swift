extension SimulationReport {
    /// A few readable lines: the run, failure detection, false positives, dissemination, load.
    public func summary() -> String {
        var lines: [String] = []
        let faults = [
            network(),
            slowNodes > 0 ? "\(slowNodes) slow nodes" : nil,
            lifeguard ? "lifeguard on" : "lifeguard off",
        ].compactMap { $0 }
        lines.append("mesh-sim: \(nodes) nodes, \(Self.fmt(durationSeconds)) s virtual, profile \(profile), seed \(seed); \(faults.joined(separator: ", "))")
        if !completed {
            lines.append("  STOPPED EARLY by the \(stopReason ?? "limit") at \(Self.fmt(reachedSeconds)) s of \(Self.fmt(durationSeconds)) s virtual: figures cover that part only")
        }
        if let join = joinConvergeSeconds {
            lines.append("  join:        every node saw every other alive after \(Self.fmt(join)) s")
        } else if viewsTracked {
            lines.append("  join:        views never became complete")
        }
        if crashes > 0 {
            var text = "  detection:   \(crashes) crashes"
            if restarts > 0 { text += " (\(restarts) restarted)" }
            if let p50 = detectionP50, let p99 = detectionP99, let max = detectionMax {
                text += ", crash -> dead at each survivor: p50 \(Self.fmt(p50)) s, p99 \(Self.fmt(p99)) s, max \(Self.fmt(max)) s (\(detectionSamples.count) samples)"
            }
            lines.append(text)
            lines.append("               undetected crashes: \(undetectedCrashes) (\(undetectedPairs) survivor/crash pairs never declared dead)")
        }
        var falses = "  false:       \(falseSuspicions) suspicions (\(falseSuspicionEpisodes) distinct) and \(falseDeaths) deaths of running, reachable nodes"
        if slowNodes > 0 {
            falses += " (of slow nodes: \(falseSuspicionsOfSlowNodes) suspicions, \(falseSuspicionEpisodesOfSlowNodes) distinct,"
                + " \(slowNodesFalselySuspected) of the \(slowNodes) slow nodes)"
        }
        lines.append(falses + "; \(suspicions) suspicions in all")
        for death in falseDeathSamples {
            lines.append("               false death at \(Self.fmt(death.time)) s: \(death.observer) declared \(death.subject) (incarnation \(death.incarnation)) dead")
        }
        if rumors > 0 {
            var text = "  rumors:      \(rumors) broadcast\(urgentRumors ? " as urgent" : "")"
            if let p50 = rumorToAllP50, let p99 = rumorToAllP99, let max = rumorToAllMax, let periods = rumorToAllMaxPeriods {
                text += ", to all: p50 \(Self.fmt(p50)) s, p99 \(Self.fmt(p99)) s, max \(Self.fmt(max)) s (\(Self.fmt(periods)) protocol periods)"
            }
            if rumorsIncomplete > 0 { text += "; \(rumorsIncomplete) never reached every node" }
            lines.append(text)
        }
        if configVersions > 0 {
            var text = "  config:      \(configVersions) versions announced and fetched"
            if let p50 = configToAllP50, let p99 = configToAllP99, let max = configToAll.max() {
                text += ", held by all: p50 \(Self.fmt(p50)) s, p99 \(Self.fmt(p99)) s, max \(Self.fmt(max)) s"
            }
            if let p50 = configDeliveryP50, let p99 = configDeliveryP99 {
                text += "; by each node: p50 \(Self.fmt(p50)) s, p99 \(Self.fmt(p99)) s"
            }
            if configIncomplete > 0 { text += "; \(configIncomplete) never held by every node" }
            lines.append(text)
        }
        if partitions > 0 {
            let heals = healConvergeSeconds.map { $0.map { Self.fmt($0) + " s" } ?? "never" }
            lines.append("  partitions:  \(partitions); views complete again after heal: \(heals.joined(separator: ", "))")
        }
        if churnJoins + churnLeaves > 0 {
            lines.append("  churn:       \(churnJoins) joins, \(churnLeaves) leaves")
        }
        lines.append("  load:        \(Self.fmt(messagesPerNodePerSecond)) msgs and \(Self.fmt(bytesPerNodePerSecond)) bytes per node per second after warm-up (\(datagramsLost) datagrams lost, \(streamsFailed) streams failed)")
        var cost = "  cost:        \(Self.fmt(wallSeconds)) s wall, \(Self.fmt(cpuSeconds)) s CPU, \(events) events"
        if let rss = peakRSSMiB { cost += ", peak RSS \(Self.fmt(rss)) MiB" }
        lines.append(cost)
        return lines.joined(separator: "\n")
    }

    private func network() -> String {
        "loss \(Self.fmt(loss * 100))%, latency \(Self.fmt(latencyMs)) ms"
    }

    static func fmt(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return String(Int64(rounded)) }
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        }
        return text
    }
}
