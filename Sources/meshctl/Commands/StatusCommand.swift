import ArgumentParser

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Every member as this node sees it, with its state, topology, config version and cache figures."
    )

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print {\"members\": [...]} as the admin API reports them.")
    var json = false

    func run() throws {
        let client = try node.client()
        let status = try client.request(.GET, "/v1/status")
        let members = try MemberRecord.list(from: status)
        if json {
            try printJSON(["members": members.map(\.raw)])
            return
        }
        if let local = status["node"] as? [String: Any] {
            print(NodeSummary(local).line)
        }
        print(StatusTable.render(members))
        print(MembershipCount(members).line)
    }
}
