import ArgumentParser
import Foundation

@main
struct Meshctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshctl",
        abstract: "Operate a Meshgate mesh through a node's admin API.",
        discussion: """
            Every command that talks to a node takes --node URL (env MESHGATE_NODE, default http://127.0.0.1:7947), \
            --token-file PATH (env MESHGATE_TOKEN_FILE) or --token TOKEN (env MESHGATE_TOKEN), and --timeout SECONDS, \
            before or after the subcommand. Without a token, ./meshgate-data/*/admin.token is used when exactly one exists.
            """,
        subcommands: [
            StatusCommand.self, MembersCommand.self, LeaveCommand.self,
            KeygenCommand.self, KeysCommand.self, DevCommand.self,
            ApplyCommand.self, DiffCommand.self, HistoryCommand.self, RollbackCommand.self, PromoteCommand.self,
            ExportCommand.self, ImportCommand.self, TokensCommand.self, BustCommand.self, CacheCommand.self,
        ]
    )

    /// Runs the command line, turning every failure into one line on stderr:
    /// exit status 2 for a usage error, 1 for anything else.
    static func main() {
        do {
            var command = try parseAsRoot(NodeOptions.hoistingLeadingOptions(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("meshctl: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = Meshctl.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("meshctl: \(message) (see meshctl help)\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
