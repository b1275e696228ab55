import ArgumentParser
import Foundation

struct CacheStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Every alive worker's cache of the node's environment: entries, bytes, request outcomes, busts; the same by route.",
        discussion: """
            Request outcomes are counted at each worker's gateway since it started: HITS (near-cache \
            hits included), NEAR (hits from the near-cache), MISSES, STALE (stale responses served), \
            BYPASS (methods the route's rule does not cache), COALESCED (requests that waited for \
            another's fill), SAVED (hits and stale serves: requests answered without the origin). \
            HIT% is hits / (hits + misses) at the gateway. --json also carries the store's own \
            lookups (hits, misses), peers' asks included.
            """)

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

    /// Each worker's store figures and its gateway's request outcomes, HIT% from the latter.
    static func table(_ nodes: [[String: Any]]) -> String {
        var table = TextTable(header: ["NAME", "ENTRIES", "BYTES", "CAPACITY", "HITS", "NEAR", "MISSES", "STALE", "COALESCED",
                                       "SAVED", "HIT%", "STORED", "EVICTED", "INVALIDATED", "EPOCH", "BUSTS"])
        for row in sorted(nodes) {
            let requests = row["requests"] as? [String: Any] ?? [:]
            let hits = numberValue(requests["hits"]) ?? 0
            let misses = numberValue(requests["misses"]) ?? 0
            table.rows.append(
                [row["name"] as? String ?? "?"] + counts(row, "entries", "bytes", "capacity")
                    + counts(requests, "hits", "near_hits", "misses", "stale_served", "coalesced", "upstream_fetches_saved")
                    + [hits + misses > 0 ? percentText(hits / (hits + misses)) : ""]
                    + counts(row, "stored", "evicted", "invalidated", "bust_epoch", "busts_applied"))
        }
        return table.render()
    }

    /// What each route's responses take in each worker's share, how many left it, and what the
    /// worker's gateway's cache did for the route's requests.
    static func routeTable(_ nodes: [[String: Any]]) -> TextTable {
        var table = TextTable(header: ["NAME", "ROUTE", "ENTRIES", "BYTES", "EVICTED", "INVALIDATED", "HITS", "NEAR", "MISSES",
                                       "STALE", "BYPASS", "COALESCED", "SAVED"])
        for row in sorted(nodes) {
            let routes = row["routes"] as? [String: [String: Any]] ?? [:]
            for route in routes.keys.sorted() {
                let share = routes[route]!
                table.rows.append(
                    [row["name"] as? String ?? "?", route] + counts(share, "entries", "bytes", "evicted", "invalidated")
                        + counts(share["requests"] as? [String: Any] ?? [:], "hits", "near_hits", "misses", "stale_served",
                                 "bypass", "coalesced", "upstream_fetches_saved"))
            }
        }
        return table
    }

    private static func sorted(_ nodes: [[String: Any]]) -> [[String: Any]] {
        nodes.sorted { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }
    }

    /// The named counts of `object`, blank where one is missing.
    private static func counts(_ object: [String: Any], _ names: String...) -> [String] {
        names.map { name in numberValue(object[name]).map { String(Int64($0)) } ?? "" }
    }
}
