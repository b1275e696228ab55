import Yams

/// Refuses scenario keys the simulator does not know, so that a misspelt key
/// (`latency: 20` for `latency_ms: 20`) is an error instead of a silent default.
enum ScenarioKeys {
    private static let top: Set<String> = [
        "name", "description", "nodes", "duration", "seed", "profile", "lifeguard", "warmup",
        "join_spread", "detection_window", "seed_count", "network", "slow", "crash", "crashes",
        "rumors", "partitions", "churn",
    ]
    private static let sections: [String: Set<String>] = [
        "network": ["loss", "latency_ms", "jitter"],
        "slow": ["fraction", "delay_ms"],
        "crash": ["count", "restart_after"],
        "crashes": ["node", "at", "restart_at"],
        "partitions": ["at", "heal", "groups"],
        "churn": ["joins_per_minute", "leaves_per_minute"],
    ]

    static func check(_ root: Node) throws {
        guard let mapping = root.mapping else {
            throw ConfigurationError("the top level must be a mapping of keys to values")
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            guard top.contains(key) else {
                throw ConfigurationError("unknown key '\(key)' (known: \(top.sorted().joined(separator: ", ")))")
            }
            guard let allowed = sections[key] else { continue }
            let entries = value.sequence.map(Array.init) ?? [value]
            for entry in entries {
                guard let inner = entry.mapping else { continue }
                for innerKey in inner.keys {
                    let name = innerKey.string ?? "\(innerKey)"
                    guard allowed.contains(name) else {
                        throw ConfigurationError(
                            "unknown key '\(key).\(name)' (known: \(allowed.sorted().joined(separator: ", ")))")
                    }
                }
            }
        }
    }
}
