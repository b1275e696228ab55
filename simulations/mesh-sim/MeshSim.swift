import ArgumentParser
import Foundation
import Simulation

@main
struct MeshSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-sim",
        abstract: "Runs a cluster of Gossip nodes over a simulated network in virtual time.",
        discussion: """
        Values come from the defaults, then --scenario FILE, then MESHGATE_<FLAG> environment \
        variables (e.g. MESHGATE_NODES), then flags. The same seed gives the same run.
        """)

    @Option(help: "Number of nodes.") var nodes: Int?
    @Option(help: "Virtual seconds to run, warm-up included.") var duration: Double?
    @Option(help: "Probability that a datagram is lost (0...1).") var loss: Double?
    @Option(name: .customLong("latency-ms"), help: "One-way network latency in milliseconds.") var latencyMs: Double?
    @Option(help: "Latency jitter as a fraction of the latency (0..<1).") var jitter: Double?
    @Option(help: "Nodes to crash, spread over the run after the warm-up.") var crash: Int?
    @Option(name: .customLong("restart-after"), help: "Restart every crashed node this many seconds later.") var restartAfter: Double?
    @Option(help: "User rumors to broadcast, spread over the run.") var rumors: Int?
    @Option(help: "Config versions the first node publishes, each announced as an urgent rumor and fetched by every node as a stream.")
    var configVersions: Int?
    @Option(help: "Bytes of one config fetch's reply (default 800, a one-route delta).") var configBytes: Int?
    @Flag(name: .customLong("urgent-rumors"), inversion: .prefixedNo,
          help: "Broadcast the rumors as urgent (forwarded on first receipt), or as plain gossip.") var urgentRumors: Bool?
    @Option(help: "Fraction of nodes that handle their inbox late (0...1).") var slow: Double?
    @Option(name: .customLong("slow-delay-ms"), help: "How late a slow node handles a message, on average.") var slowDelayMs: Double?
    @Option(help: "Seconds before the first fault; load is counted from here.") var warmup: Double?
    @Option(name: .customLong("join-spread"), help: "Seconds over which the initial nodes start (default: nodes / 100, at least 1).") var joinSpread: Double?
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(name: .customLong("max-rss-mib"), help: "Stop once the process holds more memory than this (MiB) and report the part simulated.") var maxRSSMiB: Double?
    @Option(name: .customLong("max-wall"), help: "Stop after this many wall-clock seconds and report the part simulated.") var maxWall: Double?
    @Option(help: "Gossip timing profile: lan, wan or local.") var profile: String?
    @Flag(name: .customLong("no-lifeguard"), help: "Turn the Lifeguard extensions off.") var noLifeguard = false
    @Option(help: "A YAML scenario file (see simulations/scenarios/).") var scenario: String?
    @Flag(help: "Print one JSON object instead of the summary.") var json = false
    @Option(help: "Write an SVG chart of the run (rumor infection curves, detection times) to this file.") var plot: String?

    mutating func run() throws {
        let config = try configuration()
        var simulator = try Simulator(config: config)
        let report = try simulator.run()
        print(json ? report.json() : report.summary())
        if let plot {
            do {
                try SVGChart.render(report).write(toFile: plot, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write the chart to \(plot): \(error.localizedDescription)")
            }
        }
    }

    private func configuration() throws -> SimulationConfig {
        var config = SimulationConfig()
        do {
            if let path = scenario ?? Environment.string("scenario") {
                config = try Scenario.load(path: path).applied(to: config)
            }
            if let v = try nodes ?? Environment.value("nodes") { config.nodes = v }
            if let v = try duration ?? Environment.value("duration") { config.duration = v }
            if let v = try loss ?? Environment.value("loss") { config.network.loss = v }
            if let v = try latencyMs ?? Environment.value("latency-ms") { config.network.latencyMs = v }
            if let v = try jitter ?? Environment.value("jitter") { config.network.jitter = v }
            if let v = try crash ?? Environment.value("crash") { config.crashCount = v }
            if let v = try restartAfter ?? Environment.value("restart-after") { config.restartAfter = v }
            if let v = try rumors ?? Environment.value("rumors") { config.rumors = v }
            if let v = try configVersions ?? Environment.value("config-versions") { config.configVersions = v }
            if let v = try configBytes ?? Environment.value("config-bytes") { config.configBytes = v }
            if let v = try slow ?? Environment.value("slow") { config.slow.fraction = v }
            if let v = try slowDelayMs ?? Environment.value("slow-delay-ms") { config.slow.delayMs = v }
            if let v = try warmup ?? Environment.value("warmup") { config.warmup = v }
            if let v = try joinSpread ?? Environment.value("join-spread") { config.joinSpread = v }
            if let v = try seed ?? Environment.value("seed") { config.seed = v }
            if let v = try maxWall ?? Environment.value("max-wall") { config.maxWallSeconds = v }
            if let v = try maxRSSMiB ?? Environment.value("max-rss-mib") { config.maxRSSMiB = v }
            if let v = profile ?? Environment.string("profile") { config.profile = v }
            if let v = try urgentRumors ?? Environment.value("urgent-rumors") { config.urgentRumors = v }
            if try noLifeguard || Environment.value("no-lifeguard") ?? false { config.lifeguard = false }
            try config.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        return config
    }
}

/// `MESHGATE_<FLAG>` environment variables, e.g. MESHGATE_LATENCY_MS for --latency-ms.
enum Environment {
    static func string(_ flag: String) -> String? {
        let name = "MESHGATE_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
        return ProcessInfo.processInfo.environment[name]
    }

    static func value<T: LosslessStringConvertible>(_ flag: String) throws -> T? {
        guard let text = string(flag) else { return nil }
        guard let value = T(text) else {
            throw ConfigurationError("MESHGATE_\(flag.uppercased().replacingOccurrences(of: "-", with: "_")): '\(text)' is not a valid value for --\(flag)")
        }
        return value
    }
}
