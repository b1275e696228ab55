extension SimulationReport {
    /// One JSON object on one line, keys in a fixed order (the settled ones first).
    public func json() -> String {
        var w = JSONObjectWriter()
        w.add("nodes", nodes)
        w.add("seed", seed)
        w.add("detection_p50_s", detectionP50)
        w.add("detection_p99_s", detectionP99)
        w.add("detection_max_s", detectionMax)
        w.add("undetected_crashes", undetectedCrashes)
        w.add("false_suspicions", falseSuspicions)
        w.add("false_deaths", falseDeaths)
        w.add("rumor_to_all_p99_s", rumorToAllP99)
        w.add("rumor_to_all_max_periods", rumorToAllMaxPeriods)
        w.add("msgs_per_node_per_s", messagesPerNodePerSecond)
        w.add("bytes_per_node_per_s", bytesPerNodePerSecond)
        w.add("partition_heal_converge_s", partitionHealConvergeSeconds)
        w.add("wall_s", wallSeconds)
        w.add("cpu_s", cpuSeconds)
        w.add("peak_rss_mib", peakRSSMiB)
        w.add("profile", profile)
        w.add("lifeguard", lifeguard)
        w.add("duration_s", durationSeconds)
        w.add("completed", completed)
        w.add("reached_s", reachedSeconds)
        if let stopReason { w.add("stop_reason", stopReason) } else { w.addRaw("stop_reason", "null") }
        w.add("loss", loss)
        w.add("latency_ms", latencyMs)
        w.add("slow_nodes", slowNodes)
        w.add("crashes", crashes)
        w.add("restarts", restarts)
        w.add("detection_samples", detectionSamples.count)
        w.add("undetected_pairs", undetectedPairs)
        w.add("false_suspicion_episodes", falseSuspicionEpisodes)
        w.add("false_suspicions_of_slow_nodes", falseSuspicionsOfSlowNodes)
        w.add("false_suspicion_episodes_of_slow_nodes", falseSuspicionEpisodesOfSlowNodes)
        w.add("slow_nodes_falsely_suspected", slowNodesFalselySuspected)
        w.add("suspicions", suspicions)
        w.add("rumors", rumors)
        w.add("urgent_rumors", urgentRumors)
        w.add("rumors_incomplete", rumorsIncomplete)
        w.add("rumor_to_all_p50_s", rumorToAllP50)
        w.add("rumor_to_all_max_s", rumorToAllMax)
        w.add("config_versions", configVersions)
        w.add("config_incomplete", configIncomplete)
        w.add("config_to_all_p50_s", configToAllP50)
        w.add("config_to_all_p99_s", configToAllP99)
        w.add("config_to_all_max_s", configToAll.max())
        w.add("config_delivery_p50_s", configDeliveryP50)
        w.add("config_delivery_p99_s", configDeliveryP99)
        w.add("datagrams_lost", datagramsLost)
        w.add("streams_failed", streamsFailed)
        w.add("join_converge_s", joinConvergeSeconds)
        w.add("partitions", partitions)
        w.add("partitions_unconverged", partitionsUnconverged)
        w.add("churn_joins", churnJoins)
        w.add("churn_leaves", churnLeaves)
        w.add("push_pulls", pushPulls)
        w.add("census_exchanges", censusExchanges)
        w.add("views_tracked", viewsTracked)
        w.add("events", events)
        w.addRaw("false_death_samples", "[" + falseDeathSamples.map {
            "{\"t_s\":\(JSONObjectWriter.number($0.time)),\"observer\":\(JSONObjectWriter.quote($0.observer)),"
                + "\"subject\":\(JSONObjectWriter.quote($0.subject)),\"incarnation\":\($0.incarnation)}"
        }.joined(separator: ",") + "]")
        return w.finish()
    }
}

/// Writes a flat JSON object with keys in insertion order.
struct JSONObjectWriter {
    private var parts: [String] = []

    mutating func add(_ key: String, _ value: Int) { parts.append("\"\(key)\":\(value)") }
    mutating func add(_ key: String, _ value: UInt64) { parts.append("\"\(key)\":\(value)") }
    mutating func add(_ key: String, _ value: Bool) { parts.append("\"\(key)\":\(value)") }
    mutating func add(_ key: String, _ value: String) { parts.append("\"\(key)\":\(JSONObjectWriter.quote(value))") }
    mutating func add(_ key: String, _ value: Double?) {
        guard let value, value.isFinite else {
            parts.append("\"\(key)\":null")
            return
        }
        parts.append("\"\(key)\":\(JSONObjectWriter.number(value))")
    }

    mutating func addRaw(_ key: String, _ json: String) { parts.append("\"\(key)\":\(json)") }

    func finish() -> String { "{" + parts.joined(separator: ",") + "}" }

    /// A number rounded to 6 significant decimals, written without exponent where short.
    static func number(_ value: Double) -> String {
        let rounded = (value * 1e6).rounded() / 1e6
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return "\(rounded)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
