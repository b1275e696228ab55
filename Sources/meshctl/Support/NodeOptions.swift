import ArgumentParser
import Foundation

/// Which node to talk to and how to authenticate: flags first, then `MESHGATE_*` variables.
struct NodeOptions: ParsableArguments {
    static let defaultNode = "http://127.0.0.1:7947"

    @Option(help: "Admin API of the node (env MESHGATE_NODE; default \(Self.defaultNode)).")
    var node: String?

    @Option(help: "File holding the admin bearer token (env MESHGATE_TOKEN_FILE).")
    var tokenFile: String?

    @Option(help: "Admin bearer token (env MESHGATE_TOKEN).")
    var token: String?

    @Option(help: "Seconds to wait for the node's answer.")
    var timeout: Double = 5

    /// The global flags may also come before the subcommand (`meshctl --node URL status`):
    /// they are moved behind it, where the subcommand parses them.
    static func hoistingLeadingOptions(_ arguments: [String]) -> [String] {
        let names: Set<String> = ["--node", "--token-file", "--token", "--timeout"]
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            guard names.contains(name) else { break }
            leading.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        return Array(arguments[index...]) + leading
    }

    func client() throws -> AdminClient {
        let url = node ?? environmentValue("MESHGATE_NODE") ?? Self.defaultNode
        let endpoint = try AdminEndpoint(url)
        return AdminClient(endpoint: endpoint, token: try resolveToken(), timeoutSeconds: timeout)
    }

    /// `--token`, `--token-file`, `MESHGATE_TOKEN`, `MESHGATE_TOKEN_FILE`, in that order; failing
    /// those, `./meshgate-data/*/admin.token` when exactly one such file exists.
    private func resolveToken() throws -> String? {
        if let token { return token }
        if let tokenFile { return try Self.readToken(tokenFile) }
        if let token = environmentValue("MESHGATE_TOKEN") { return token }
        if let file = environmentValue("MESHGATE_TOKEN_FILE") { return try Self.readToken(file) }
        let candidates = Self.localTokenFiles()
        return candidates.count == 1 ? try Self.readToken(candidates[0]) : nil
    }

    static func readToken(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError("the token file \(path) is empty") }
        return token
    }

    private static func localTokenFiles() -> [String] {
        let root = "meshgate-data"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().map { "\(root)/\($0)/admin.token" }
            .filter { FileManager.default.isReadableFile(atPath: $0) }
    }
}
