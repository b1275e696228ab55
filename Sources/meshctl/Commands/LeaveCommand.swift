import ArgumentParser

struct LeaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave",
        abstract: "Make the node leave the mesh gracefully; it exits afterwards."
    )

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the admin API's answer as JSON.")
    var json = false

    func run() throws {
        let client = try node.client()
        let answer = try client.request(.POST, "/v1/leave")
        guard answer["ok"] as? Bool == true else {
            throw CLIError("unexpected answer from \(client.endpoint)/v1/leave: \(answer)")
        }
        if json {
            try printJSON(answer)
        } else {
            print("the node at \(client.endpoint) is leaving the mesh")
        }
    }
}
