import ArgumentParser
import Foundation
import ManagerCore

struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Sign one environment's current content for another, as that environment's next version."
    )

    @OptionGroup var node: NodeOptions

    @Option(help: "The environment whose current content to promote.")
    var from: String

    @Option(help: "The environment to publish it to.")
    var to: String

    @Flag(help: "Return once the manager signed the version, without waiting for the workers.")
    var noWait = false

    @Option(help: "Seconds to wait for every worker to serve the new version.")
    var waitTimeout: Double = 60

    func run() throws {
        let client = try node.client()
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/promote", sending: ConfigAPI.PromoteRequest(from: from, to: to),
            as: ConfigAPI.PublishAnswer.self)
        try Rollout.report(answer, client: client, noWait: noWait, timeout: waitTimeout, started: started)
    }
}
