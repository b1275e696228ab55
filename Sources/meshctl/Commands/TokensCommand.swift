import ArgumentParser

struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Named admin tokens of a node, each with a role: read, operate or admin.",
        discussion: """
            read: status, members, metrics, config state, history, diff, audit. operate: also leave and bust. \
            admin: also apply, rollback, promote, import, keys and tokens. The node's own token (--admin-token-file) \
            is named admin. A new token is printed once; the node keeps only its SHA-256.
            """,
        subcommands: [List.self, Create.self, Remove.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The node's tokens and their roles.")
        @OptionGroup var node: NodeOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let answer = try node.client().request(.GET, "/v1/tokens")
            if json { return try printJSON(answer) }
            var table = TextTable(header: ["NAME", "ROLE"])
            for token in answer["tokens"] as? [[String: Any]] ?? [] {
                table.rows.append([token["name"] as? String ?? "", token["role"] as? String ?? ""])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once.")
        @OptionGroup var node: NodeOptions
        @Argument(help: "The token's name, as the audit log shows it.") var name: String
        @Option(help: "read, operate or admin.") var role: String

        func validate() throws {
            guard ["read", "operate", "admin"].contains(role) else { throw ValidationError("--role is read, operate or admin") }
        }

        func run() throws {
            let answer = try node.client().request(.POST, "/v1/tokens", json: ["name": name, "role": role])
            guard let token = answer["token"] as? String else { throw CLIError("the node answered no token: \(answer)") }
            print(token)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a token; requests with it are refused at once.")
        @OptionGroup var node: NodeOptions
        @Argument(help: "The token's name.") var name: String

        func run() throws {
            _ = try node.client().request(.POST, "/v1/tokens/remove", json: ["name": name])
            print("removed token \(name)")
        }
    }
}
