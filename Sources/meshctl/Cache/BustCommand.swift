import ArgumentParser
import Foundation

struct BustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bust",
        abstract: "Invalidate cached responses on every node of the environment, and wait until each alive worker applied it.",
        discussion: """
            KEY is a URL (http(s)://host/path?query: every stored variant of that URL, keyed as its route keys a \
            GET, or by the standard template when no cached route takes it), a bare path (/path: that path on every \
            host, whatever its query), or a cache key's text (meshctl cache key URL prints it). Or one of --prefix, --tag, --route, --all. Needs a token with the \
            operate role. Exits 1 naming the alive workers that did not acknowledge within --wait-timeout.
            """
    )

    @OptionGroup var node: NodeOptions

    @Argument(help: "A URL, a path, or a cache key's text.")
    var key: String?

    @Option(help: "Every entry whose path starts with this prefix, on any host.")
    var prefix: String?

    @Option(help: "Every entry whose response named this tag (Cache-Tag).")
    var tag: String?

    @Option(help: "Every entry stored for this route id.")
    var route: String?

    @Flag(help: "Everything.")
    var all = false

    @Flag(help: "Return once the node applied it and the rumor is spreading, without waiting for acknowledgements.")
    var noWait = false

    @Option(help: "Seconds to wait for every alive worker's acknowledgement.")
    var waitTimeout: Double = 5

    @Flag(help: "Print the node's answer as JSON.")
    var json = false

    func body() throws -> [String: Any] {
        var chosen: [(String, Any)] = []
        if let key {
            let isURL = key.hasPrefix("/") || key.lowercased().hasPrefix("http://") || key.lowercased().hasPrefix("https://")
            chosen.append((isURL ? "url" : "key", key))
        }
        if let prefix { chosen.append(("prefix", prefix)) }
        if let tag { chosen.append(("tag", tag)) }
        if let route { chosen.append(("route", route)) }
        if all { chosen.append(("all", true)) }
        guard chosen.count == 1 else {
            throw CLIError("name exactly one thing to bust: KEY, --prefix, --tag, --route or --all", exitCode: 2)
        }
        guard waitTimeout > 0, waitTimeout <= 60 else { throw CLIError("--wait-timeout is 0 to 60 seconds", exitCode: 2) }
        var body: [String: Any] = [chosen[0].0: chosen[0].1]
        body["wait"] = !noWait
        body["timeout_ms"] = Int((waitTimeout * 1000).rounded())
        return body
    }

    func run() throws {
        let request = try body()
        let base = try node.client()
        let client = AdminClient(endpoint: base.endpoint, token: base.token,
                                 timeoutSeconds: max(base.timeoutSeconds, waitTimeout + 5))
        let answer = try client.request(.POST, "/v1/cache/bust", json: request)
        guard let id = answer["id"] as? String, let kind = answer["kind"] as? String,
              let acknowledged = answer["acknowledged"] as? [[String: Any]], let missing = answer["missing"] as? [String]
        else {
            throw CLIError("unexpected answer from \(client.endpoint)/v1/cache/bust: \(answer)")
        }
        if json { try printJSON(answer) }
        let what = kind + ((answer["value"] as? String).map { " \($0)" } ?? "")
        let elapsed = numberValue(answer["elapsed_ms"]) ?? 0
        let here = numberValue(answer["removed_here"]).map { Int($0) } ?? 0
        if !json {
            print("bust \(what) (\(id)): \(here) removed on \(client.endpoint)")
            if noWait {
                print(String(format: "applied there and spreading by gossip after %.1f ms; not waiting for acknowledgements", elapsed))
            } else {
                var table = TextTable(header: ["NODE", "REMOVED", "ACK MS"])
                for ack in acknowledged {
                    table.rows.append([ack["name"] as? String ?? "?", (numberValue(ack["removed"]).map { String(Int($0)) }) ?? "?",
                                       numberValue(ack["ms"]).map { String(format: "%.1f", $0) } ?? "?"])
                }
                for name in missing { table.rows.append([name, "-", "no ack"]) }
                if !table.rows.isEmpty { print(table.render()) }
                let total = acknowledged.count + missing.count
                print(String(format: "acknowledged by %d of %d alive workers in %.1f ms", acknowledged.count, total, elapsed))
            }
        }
        guard missing.isEmpty else {
            throw CLIError("bust \(id) not acknowledged by \(missing.joined(separator: ", ")) within \(waitTimeout)s "
                + "(\(acknowledged.count) of \(acknowledged.count + missing.count) alive workers did); they apply it when they hear the rumor or catch up")
        }
    }
}
