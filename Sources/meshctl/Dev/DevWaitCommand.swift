import ArgumentParser
import Foundation

/// Waits until several nodes agree on the membership and prints how long that took; the mesh
/// benchmark and scripts use it to time joins and failure detection.
struct DevWaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until every given node sees the expected membership; print the time it took.",
        discussion: "Prints converged_s=SECONDS (from --since, or from the start) once the last node met the condition."
    )

    @OptionGroup var node: NodeOptions

    @Option(help: "Comma-separated admin URLs to watch (default: --node).")
    var nodes: String?

    @Option(help: "Every node sees exactly this many alive members.")
    var alive: Int?

    @Option(help: "A member that every node must see in --state.")
    var member: String?

    @Option(help: "The state --member must reach: alive, suspect, dead or left.")
    var state: String = "dead"

    @Option(help: "Unix time (seconds, fractions allowed) the figure is measured from.")
    var since: Double?

    @Option(help: "Give up after this many seconds.")
    var within: Double = 60

    @Option(help: "Milliseconds between two polls of a node.")
    var intervalMs: Int = 25

    func validate() throws {
        guard alive != nil || member != nil else { throw ValidationError("give --alive N, --member NAME, or both") }
        guard ["alive", "suspect", "dead", "left"].contains(state) else { throw ValidationError("unknown state \(state)") }
    }

    func run() throws {
        let start = since.map { Date(timeIntervalSince1970: $0) } ?? Date()
        let base = try node.client()
        let urls = nodes?.split(separator: ",").map(String.init) ?? [base.endpoint.description]
        let watched = try urls.map { MeshWatch.Node(label: $0, client: AdminClient(endpoint: try AdminEndpoint($0), token: base.token, timeoutSeconds: base.timeoutSeconds)) }
        let expectedAlive = alive
        let expectedMember = member.map { ($0, state) }
        let watch = MeshWatch(nodes: watched, intervalSeconds: Double(intervalMs) / 1000) { members in
            if let expectedAlive, !MeshWatch.alive(expectedAlive)(members) { return false }
            if let (name, state) = expectedMember, !MeshWatch.member(name, in: state)(members) { return false }
            return true
        }
        var outcome = MeshWatch.Outcome()
        let done = watch.run(until: Date().addingTimeInterval(within), outcome: &outcome)
        guard done, let last = outcome.metAt.values.max() else {
            let missing = watched.filter { outcome.metAt[$0.label] == nil }
            let details = missing.prefix(3).map { node in
                outcome.lastError[node.label] ?? "\(node.label) sees \(MembershipCount(outcome.lastSeen[node.label] ?? []).line)"
            }
            throw CLIError("\(missing.count) of \(watched.count) nodes did not get there within \(within)s (\(details.joined(separator: "; ")))")
        }
        print(String(format: "converged_s=%.3f", last.timeIntervalSince(start)))
    }
}
