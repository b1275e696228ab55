import ArgumentParser
import Foundation
import ManagerCore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write an environment's current signed bundle to a file, to carry to a mesh the manager cannot reach."
    )

    @OptionGroup var node: NodeOptions

    @Option(help: "The environment.")
    var env: String

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    func run() throws {
        let answer = try node.client().request("/v1/config/bundle/\(env)", as: ConfigAPI.BundleTransfer.self)
        guard let bytes = Data(base64Encoded: answer.bundle) else { throw CLIError("the node sent a bundle that is not base64") }
        guard FileManager.default.createFile(atPath: output, contents: bytes) else { throw CLIError("cannot write \(output)") }
        print("wrote \(output) (\(bytes.count) bytes)")
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Hand an exported bundle to a node, which verifies it like any bundle and spreads it in its mesh."
    )

    @OptionGroup var node: NodeOptions

    @Argument(help: "A file written by `meshctl export`.")
    var file: String

    @OptionGroup var rollout: RolloutOptions

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let client = try node.client()
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/import", sending: ConfigAPI.BundleTransfer(bundle: data.base64EncodedString()),
            as: ConfigAPI.PublishAnswer.self)
        try Rollout.report(answer, client: client, options: rollout, started: started)
    }
}
