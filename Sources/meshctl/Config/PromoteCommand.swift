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

    @OptionGroup var rollout: RolloutOptions

    func run() throws {
        let client = try node.client()
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/promote", sending: ConfigAPI.PromoteRequest(from: from, to: to),
            as: ConfigAPI.PublishAnswer.self)
        try Rollout.report(answer, client: client, options: rollout, started: started)
    }
}
