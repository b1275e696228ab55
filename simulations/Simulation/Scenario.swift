import Foundation
import Yams

/// A run described in YAML (see `simulations/scenarios/`). Every key is optional;
/// what a scenario leaves out keeps its default, and command-line flags win over both.
///
///     name: partition-heal
///     nodes: 200
///     duration: 120
///     network: { loss: 0.01, latency_ms: 10 }
///     partitions:
///       - { at: 40, heal: 70, groups: [0.5, 0.5] }
public struct Scenario: Decodable, Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var nodes: Int?
    public var duration: Double?
    public var seed: UInt64?
    public var profile: String?
    public var lifeguard: Bool?
    public var warmup: Double?
    public var joinSpread: Double?
    public var detectionWindow: Double?
    public var seedCount: Int?
    public var network: Network?
    public var slow: Slow?
    public var crash: Crash?
    public var crashes: [CrashAt]?
    public var rumors: Int?
    public var partitions: [Partition]?
    public var churn: Churn?

    public struct Network: Decodable, Sendable, Equatable {
        public var loss: Double?
        public var latencyMs: Double?
        public var jitter: Double?
    }

    public struct Slow: Decodable, Sendable, Equatable {
        public var fraction: Double?
        public var delayMs: Double?
    }

    public struct Crash: Decodable, Sendable, Equatable {
        public var count: Int?
        public var restartAfter: Double?
    }

    public struct CrashAt: Decodable, Sendable, Equatable {
        public var node: Int
        public var at: Double
        public var restartAt: Double?
    }

    public struct Partition: Decodable, Sendable, Equatable {
        public var at: Double
        public var heal: Double
        public var groups: [Double]?
    }

    public struct Churn: Decodable, Sendable, Equatable {
        public var joinsPerMinute: Double?
        public var leavesPerMinute: Double?
    }

    private enum CodingKeys: String, CodingKey {
        case name, description, nodes, duration, seed, profile, lifeguard, warmup
        case joinSpread = "join_spread"
        case detectionWindow = "detection_window"
        case seedCount = "seed_count"
        case network, slow, crash, crashes, rumors, partitions, churn
    }

    public static func parse(yaml: String) throws -> Scenario {
        do {
            if let root = try Yams.compose(yaml: yaml) {
                try ScenarioKeys.check(root)
            }
            return try YAMLDecoder().decode(Scenario.self, from: yaml, userInfo: [:])
        } catch let error as ConfigurationError {
            throw ConfigurationError("scenario: \(error.description)")
        } catch let error as DecodingError {
            throw ConfigurationError("scenario: \(Scenario.describe(error))")
        } catch {
            throw ConfigurationError("scenario: \(error)")
        }
    }

    public static func load(path: String) throws -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read scenario \(path): \(error.localizedDescription)")
        }
        do {
            return try parse(yaml: text)
        } catch let error as ConfigurationError {
            throw ConfigurationError("\(path): \(error.description)")
        }
    }

    /// The configuration this scenario describes, starting from `base`.
    public func applied(to base: SimulationConfig) -> SimulationConfig {
        var c = base
        if let nodes { c.nodes = nodes }
        if let duration { c.duration = duration }
        if let seed { c.seed = seed }
        if let profile { c.profile = profile }
        if let lifeguard { c.lifeguard = lifeguard }
        if let warmup { c.warmup = warmup }
        if let joinSpread { c.joinSpread = joinSpread }
        if let detectionWindow { c.detectionWindow = detectionWindow }
        if let seedCount { c.seedCount = seedCount }
        if let loss = network?.loss { c.network.loss = loss }
        if let latency = network?.latencyMs { c.network.latencyMs = latency }
        if let jitter = network?.jitter { c.network.jitter = jitter }
        if let fraction = slow?.fraction { c.slow.fraction = fraction }
        if let delay = slow?.delayMs { c.slow.delayMs = delay }
        if let count = crash?.count { c.crashCount = count }
        if let restartAfter = crash?.restartAfter { c.restartAfter = restartAfter }
        if let crashes {
            c.crashes = crashes.map { SimulationConfig.CrashSpec(node: $0.node, at: $0.at, restartAt: $0.restartAt) }
        }
        if let rumors { c.rumors = rumors }
        if let partitions {
            c.partitions = partitions.map {
                SimulationConfig.PartitionSpec(at: $0.at, heal: $0.heal, groups: $0.groups ?? [0.5, 0.5])
            }
        }
        if let joins = churn?.joinsPerMinute { c.churn.joinsPerMinute = joins }
        if let leaves = churn?.leavesPerMinute { c.churn.leavesPerMinute = leaves }
        return c
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing key '\(key.stringValue)'"
        @unknown default:
            return "\(error)"
        }
    }
}
