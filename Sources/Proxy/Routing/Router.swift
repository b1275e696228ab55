import ManagerCore
import NIOHTTP1

/// The routes of one config compiled for lookup: a path trie per exact host, per
/// wildcard suffix, and one for routes without a host. A more specific host always
/// wins; within a host bucket the trie picks the most specific path, then routes
/// restricted by method or headers, then declared order.
struct Router<Value>: @unchecked Sendable {
    private var exactHosts: [String: PathTrie<Value>] = [:]
    private var wildcardHosts: [String: PathTrie<Value>] = [:]
    private let anyHost = PathTrie<Value>()

    struct Rule {
        let hosts: [String]
        let path: PathPattern
        let rank: Int
        let value: Value
    }

    init(rules: [Rule]) {
        for (order, rule) in rules.enumerated() {
            let (pattern, isPrefix): (String, Bool)
            switch rule.path {
            case .exact(let p): (pattern, isPrefix) = (p, false)
            case .prefix(let p): (pattern, isPrefix) = (p, true)
            }
            let tries: [PathTrie<Value>]
            if rule.hosts.isEmpty {
                tries = [anyHost]
            } else {
                tries = rule.hosts.map { host in
                    if host.hasPrefix("*.") {
                        let suffix = String(host.dropFirst(2))
                        return Self.trie(for: suffix, in: &wildcardHosts)
                    }
                    return Self.trie(for: host, in: &exactHosts)
                }
            }
            for trie in tries {
                trie.insert(pattern: pattern, isPrefix: isPrefix, value: rule.value, rank: rule.rank, order: order)
            }
        }
        exactHosts.values.forEach { $0.seal() }
        wildcardHosts.values.forEach { $0.seal() }
        anyHost.seal()
    }

    private static func trie(for key: String, in table: inout [String: PathTrie<Value>]) -> PathTrie<Value> {
        if let trie = table[key] { return trie }
        let trie = PathTrie<Value>()
        table[key] = trie
        return trie
    }

    /// `host` gives the request's host, lower-case without port, when a route names hosts;
    /// `path` is the path part of the target.
    func match(host: () -> Substring, path: Substring, accept: (Value) -> Bool) -> Value? {
        let host = exactHosts.isEmpty && wildcardHosts.isEmpty ? "" : host()
        if !exactHosts.isEmpty, let trie = exactHosts[String(host)], let hit = trie.lookup(path: path, accept: accept) {
            return hit.value
        }
        if !wildcardHosts.isEmpty {
            var rest = host
            while let dot = rest.firstIndex(of: ".") {
                rest = rest[rest.index(after: dot)...]
                if let trie = wildcardHosts[String(rest)], let hit = trie.lookup(path: path, accept: accept) {
                    return hit.value
                }
            }
        }
        return anyHost.lookup(path: path, accept: accept)?.value
    }
}
