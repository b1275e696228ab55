import ArgumentParser
import Foundation

struct CacheStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Every alive worker's cache of the node's environment: entries, bytes, hits, misses, busts; the same by route.")

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the node's answer as JSON.")
    var json = false

    func run() throws {
        let client = try node.client()
        let answer = try client.request(.GET, "/v1/cache/stats/mesh")
        guard let nodes = answer["nodes"] as? [[String: Any]] else {
            throw CLIError("unexpected answer from \(client.endpoint)/v1/cache/stats/mesh: no \"nodes\" array")
        }
        let unanswered = answer["unanswered"] as? [String] ?? []
        if json {
            try printJSON(answer)
        } else {
            print(Self.table(nodes))
            let routes = Self.routeTable(nodes)
            if !routes.rows.isEmpty { print("\n" + routes.render()) }
        }
        guard unanswered.isEmpty else {
            throw CLIError("no cache figures from \(unanswered.joined(separator: ", ")) within 2 s")
        }
    }

    static func table(_ nodes: [[String: Any]]) -> String {
        var table = TextTable(header: ["NAME", "ENTRIES", "BYTES", "CAPACITY", "HITS", "MISSES", "HIT%", "STORED",
                                       "EVICTED", "INVALIDATED", "EPOCH", "BUSTS"])
        func count(_ row: [String: Any], _ name: String) -> String {
            numberValue(row[name]).map { String(Int64($0)) } ?? ""
        }
        for row in nodes.sorted(by: { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }) {
            let hits = numberValue(row["hits"]) ?? 0
            let misses = numberValue(row["misses"]) ?? 0
            table.rows.append([
                row["name"] as? String ?? "?", count(row, "entries"), count(row, "bytes"), count(row, "capacity"),
                count(row, "hits"), count(row, "misses"), hits + misses > 0 ? percentText(hits / (hits + misses)) : "",
                count(row, "stored"), count(row, "evicted"), count(row, "invalidated"), count(row, "bust_epoch"),
                count(row, "busts_applied"),
            ])
        }
        return table.render()
    }

    /// What each route's responses take in each worker's share, and how many left it.
    static func routeTable(_ nodes: [[String: Any]]) -> TextTable {
        var table = TextTable(header: ["NAME", "ROUTE", "ENTRIES", "BYTES", "EVICTED", "INVALIDATED"])
        for row in nodes.sorted(by: { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }) {
            let routes = row["routes"] as? [String: [String: Any]] ?? [:]
            for route in routes.keys.sorted() {
                let share = routes[route]!
                table.rows.append([row["name"] as? String ?? "?", route] + ["entries", "bytes", "evicted", "invalidated"].map { name in
                    numberValue(share[name]).map { String(Int64($0)) } ?? ""
                })
            }
        }
        return table
    }
}
