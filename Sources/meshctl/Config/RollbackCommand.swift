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

    @Flag(help: "Return once the manager signed the version, without waiting for the workers.")
    var noWait = false

    @Option(help: "Seconds to wait for every worker to serve the new version.")
    var waitTimeout: Double = 60

    func run() throws {
        let client = try node.client()
        let environment = try env ?? client.request("/v1/config", as: ConfigAPI.StateAnswer.self).environment
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/rollback", sending: ConfigAPI.RollbackRequest(environment: environment, version: version),
            as: ConfigAPI.PublishAnswer.self)
        try Rollout.report(answer, client: client, noWait: noWait, timeout: waitTimeout, started: started)
    }
}
