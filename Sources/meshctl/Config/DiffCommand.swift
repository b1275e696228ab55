import ArgumentParser
import ManagerCore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What applying the manifests would change against the environment's current version."
    )

    @OptionGroup var node: NodeOptions
    @OptionGroup var manifest: ManifestInput

    @Flag(help: "Print the difference as JSON.")
    var json = false

    func run() throws {
        let (environment, config) = try manifest.load()
        let answer = try node.client().request(
            .POST, "/v1/config/diff", sending: ConfigAPI.ApplyRequest(environment: environment, config: config),
            as: ConfigAPI.DiffAnswer.self)
        if json { return try printEncoded(answer) }
        let against = answer.version.map { "version \($0)" } ?? "no version yet"
        guard !answer.diff.isEmpty else {
            print("\(environment) (\(against)): no change")
            return
        }
        print("\(environment) (\(against)): \(answer.diff.summary)")
        for (kind, entities) in [("route", answer.diff.routes), ("upstream", answer.diff.upstreams)] {
            for id in entities.added { print("  + \(kind) \(id)") }
            for id in entities.removed { print("  - \(kind) \(id)") }
            for id in entities.changed {
                let policies = kind == "route" && answer.diff.policies.contains(id) ? " (policies)" : ""
                print("  ~ \(kind) \(id)\(policies)")
            }
        }
        if answer.diff.reordered { print("  ~ route order") }
    }
}
