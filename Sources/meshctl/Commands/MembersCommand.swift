import ArgumentParser

struct MembersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "The membership list alone."
    )

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print {\"members\": [...]} as the admin API reports them.")
    var json = false

    func run() throws {
        let answer = try node.client().request(.GET, "/v1/members")
        let members = try MemberRecord.list(from: answer)
        if json {
            try printJSON(["members": members.map(\.raw)])
            return
        }
        var table = TextTable(header: ["NAME", "ADDRESS", "STATE", "INC", "ROLE", "TAGS"])
        for member in members {
            let tags = member.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            table.rows.append([member.name, member.address, member.state, member.incarnation, member.role, tags])
        }
        print(table.render())
        print(MembershipCount(members).line)
    }
}
