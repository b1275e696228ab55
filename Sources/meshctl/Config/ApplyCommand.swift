import ArgumentParser
import Foundation
import ManagerCore

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Publish manifests through the manager, and wait until every worker of the environment serves them.",
        discussion: """
            The manifest is validated here, then sent to the manager (--node), which validates it again, signs it \
            as the environment's next version and announces it. An unchanged manifest publishes nothing.
            """
    )

    @OptionGroup var node: NodeOptions
    @OptionGroup var manifest: ManifestInput

    @OptionGroup var rollout: RolloutOptions

    @Flag(help: "Print the manager's answer as JSON.")
    var json = false

    func run() throws {
        let (environment, config) = try manifest.load()
        let client = try node.client()
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/apply", sending: ConfigAPI.ApplyRequest(environment: environment, config: config),
            as: ConfigAPI.PublishAnswer.self)
        guard json else {
            return try Rollout.report(answer, client: client, options: rollout, started: started)
        }
        if answer.outcome != "unchanged" && !rollout.noWait {
            _ = try Rollout.wait(client: client, environment: environment, version: answer.version,
                                 timeout: rollout.waitTimeout, started: started, quiet: true)
        }
        try printEncoded(answer)
    }
}
