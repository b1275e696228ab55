import ArgumentParser
import Foundation
import ManagerCore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The manager's signed versions of an environment, or with --audit who changed what."
    )

    @OptionGroup var node: NodeOptions

    @Option(help: "The environment (default: the node's own).")
    var env: String?

    @Flag(help: "Show the audit log: every apply, rollback, promote and import, with the token that asked.")
    var audit = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let client = try node.client()
        if audit {
            let answer = try client.request("/v1/audit", as: ConfigAPI.AuditAnswer.self)
            if json { return try printEncoded(answer) }
            var table = TextTable(header: ["TIME", "ACTION", "TOKEN", "ENV", "VERSION", "DETAIL"])
            for entry in answer.entries {
                table.rows.append([entry.time, entry.action, entry.token, entry.environment ?? "",
                                   entry.version.map(String.init) ?? "", entry.detail ?? ""])
            }
            return print(table.render(), terminator: "")
        }
        let environment = try env ?? client.request("/v1/config", as: ConfigAPI.StateAnswer.self).environment
        let answer = try client.request("/v1/config/history/\(environment)", as: ConfigAPI.HistoryAnswer.self)
        if json { return try printEncoded(answer) }
        var table = TextTable(header: ["VERSION", "DIGEST", "TIME", "BY", "SUMMARY"])
        let format = ISO8601DateFormatter()
        for header in answer.versions.reversed() {
            let time = format.string(from: Date(timeIntervalSince1970: Double(header.createdAtMillis) / 1000))
            table.rows.append([String(header.version), header.contentDigest.short, time, header.author, header.summary])
        }
        print(table.render(), terminator: "")
    }
}
