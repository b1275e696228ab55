import ArgumentParser
import Foundation
import NIOHTTP1

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "The gossip keyring, rotated without downtime: install a new key, use it, remove the old.",
        subcommands: [List.self, Install.self, Use.self, Remove.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys this node holds; the primary encrypts.")

        @OptionGroup var node: NodeOptions

        @Flag(help: "Print the admin API's answer as JSON.")
        var json = false

        func run() throws {
            let answer = try node.client().request(.GET, "/v1/keys")
            guard let keys = answer["keys"] as? [[String: Any]] else {
                throw CLIError("unexpected answer from meshd: no \"keys\" array")
            }
            if json {
                try printJSON(answer)
                return
            }
            var table = TextTable(header: ["FINGERPRINT", "PRIMARY"])
            for key in keys {
                table.rows.append([key["fingerprint"] as? String ?? "?", key["primary"] as? Bool == true ? "yes" : ""])
            }
            print(table.render())
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a key to every alive node's keyring.")

        @OptionGroup var node: NodeOptions
        @OptionGroup var key: KeyArgument

        @Flag(help: "Print the admin API's answer as JSON.")
        var json = false

        func run() throws {
            try KeyringChange(path: "/v1/keys/install", verb: "installed", json: json).run(node: node, key: try key.value(allowFingerprint: false))
        }
    }

    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an installed key the primary on every alive node.")

        @OptionGroup var node: NodeOptions
        @OptionGroup var key: KeyArgument

        @Flag(help: "Print the admin API's answer as JSON.")
        var json = false

        func run() throws {
            try KeyringChange(path: "/v1/keys/use", verb: "made primary", json: json).run(node: node, key: try key.value(allowFingerprint: true))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a key that is no longer primary from every alive node.")

        @OptionGroup var node: NodeOptions
        @OptionGroup var key: KeyArgument

        @Flag(help: "Print the admin API's answer as JSON.")
        var json = false

        func run() throws {
            try KeyringChange(path: "/v1/keys/remove", verb: "removed", json: json).run(node: node, key: try key.value(allowFingerprint: true))
        }
    }
}

/// A key given on the command line (base64 or, where allowed, a fingerprint) or in a key file.
struct KeyArgument: ParsableArguments {
    @Argument(help: "The key: base64, a key file, or (for use and remove) its fingerprint.")
    var key: String?

    @Option(help: "Read the key from this file (as written by meshctl keygen --out).")
    var keyFile: String?

    func value(allowFingerprint: Bool) throws -> String {
        switch (key, keyFile) {
        case (nil, nil):
            throw CLIError("give the key as an argument or with --key-file", exitCode: 2)
        case (.some, .some):
            throw CLIError("give the key either as an argument or with --key-file, not both", exitCode: 2)
        case (nil, let path?):
            return Data(try KeyFile.read(path, expectedLength: KeygenCommand.clusterKeyLength)).base64EncodedString()
        case (let text?, nil):
            if FileManager.default.fileExists(atPath: text) {
                return Data(try KeyFile.read(text, expectedLength: KeygenCommand.clusterKeyLength)).base64EncodedString()
            }
            if let bytes = Data(base64Encoded: text), bytes.count == KeygenCommand.clusterKeyLength { return text }
            let isFingerprint = !text.isEmpty && text.allSatisfy(\.isHexDigit)
            guard allowFingerprint, isFingerprint else {
                throw CLIError("\(text) is not a base64 key of \(KeygenCommand.clusterKeyLength) bytes\(allowFingerprint ? " nor a hex fingerprint" : "")", exitCode: 2)
            }
            return text
        }
    }
}

/// One keyring change spread over the mesh: it fails unless every alive node acknowledged it.
struct KeyringChange {
    let path: String
    let verb: String
    let json: Bool

    func run(node: NodeOptions, key: String) throws {
        let client = try node.client()
        let answer = try client.request(.POST, path, json: ["key": key])
        guard let acked = numberValue(answer["nodes_acked"]).map(Int.init),
              let total = numberValue(answer["nodes_total"]).map(Int.init)
        else {
            throw CLIError("unexpected answer from \(client.endpoint)\(path): \(answer)")
        }
        if json { try printJSON(answer) }
        guard acked >= total, answer["ok"] as? Bool != false else {
            throw CLIError("key \(verb) on only \(acked) of \(total) alive nodes; run the command again once the others are reachable")
        }
        if !json { print("key \(verb) on \(acked) of \(total) alive nodes") }
    }
}
