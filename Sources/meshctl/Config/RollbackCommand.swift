import ArgumentParser
import Foundation
import ManagerCore

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Publish an earlier version's content again, as the environment's next version."
    )

    @OptionGroup var node: NodeOptions

    @Argument(help: "The version whose content to publish again.")
    var version: UInt64

    @Option(help: "The environment (default: the node's own).")
    var env: String?

    @OptionGroup var rollout: RolloutOptions

    func run() throws {
        let client = try node.client()
        let environment = try env ?? client.request("/v1/config", as: ConfigAPI.StateAnswer.self).environment
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/rollback", sending: ConfigAPI.RollbackRequest(environment: environment, version: version),
            as: ConfigAPI.PublishAnswer.self)
        try Rollout.report(answer, client: client, options: rollout, started: started)
    }
}
