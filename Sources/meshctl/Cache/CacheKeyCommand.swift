import ArgumentParser
import Foundation

struct CacheKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "The cache key of a URL on the node's routes, and the nodes that own it.",
        discussion: "The owners are listed in the order nodes ask them: the primary, then the backup (a suspect one last)."
    )

    @OptionGroup var node: NodeOptions

    @Argument(help: "http(s)://host/path?query, as a client would request it.")
    var url: String

    @Option(help: "The request method.")
    var method = "GET"

    @Flag(help: "Print the admin API's JSON.")
    var json = false

    func run() throws {
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "url", value: url), URLQueryItem(name: "method", value: method)]
        let answer = try node.client().request(.GET, "/v1/cache/key" + (query.percentEncodedQuery.map { "?" + $0 } ?? ""))
        if json {
            try printJSON(answer)
            return
        }
        print("route   \(answer["route"] as? String ?? "")")
        print("key     \((answer["key"] as? String ?? "").replacingOccurrences(of: "\n", with: "\\n"))")
        print("owners  \((answer["owners"] as? [String] ?? []).joined(separator: ", "))")
    }
}

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "The mesh's response cache.",
        subcommands: [CacheKeyCommand.self, CacheStatsCommand.self]
    )
}
