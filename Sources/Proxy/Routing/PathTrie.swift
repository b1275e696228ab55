/// Routes of one host bucket, indexed by path segments: a literal child per segment
/// text, one child for `{param}` segments, and at each node the prefix routes that
/// cover everything below it and the exact routes that end there. A lookup walks
/// the request path once, so its cost depends on the path, not on the route count.
final class PathTrie<Value>: @unchecked Sendable {
    /// Built and sealed once; no access to its fields lasts across a call (changes are made
    /// to copies, then stored), so lookups read them without runtime exclusivity checks.
    private final class Node {
        var literal: [String: Node] = [:]
        var param: Node?
        var exact: [Entry] = []
        var prefix: [Entry] = []
    }

    struct Entry {
        let value: Value
        /// Higher wins among candidates of equal path score; then lower order.
        let rank: Int
        let order: Int
    }

    private let root = Node()

    func insert(pattern: String, isPrefix: Bool, value: Value, rank: Int, order: Int) {
        var node = root
        for segment in pattern.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("{") {
                if node.param == nil { node.param = Node() }
                node = node.param!
            } else {
                let key = String(segment)
                var literal = node.literal
                if let next = literal[key] {
                    node = next
                } else {
                    let next = Node()
                    literal[key] = next
                    node.literal = literal
                    node = next
                }
            }
        }
        let entry = Entry(value: value, rank: rank, order: order)
        if isPrefix {
            var prefix = node.prefix
            prefix.append(entry)
            node.prefix = prefix
        } else {
            var exact = node.exact
            exact.append(entry)
            node.exact = exact
        }
    }

    /// Sorts every node's candidates best first; call once after the last insert.
    func seal() { Self.seal(root) }

    private static func seal(_ node: Node) {
        let better: (Entry, Entry) -> Bool = { $0.rank != $1.rank ? $0.rank > $1.rank : $0.order < $1.order }
        let exact = node.exact.sorted(by: better)
        node.exact = exact
        let prefix = node.prefix.sorted(by: better)
        node.prefix = prefix
        let literal = node.literal
        literal.values.forEach(seal)
        if let param = node.param { seal(param) }
    }

    /// The best value whose pattern covers `path` and that `accept` admits. Exact beats
    /// prefix, a deeper prefix beats a shallower one, a literal segment beats a parameter.
    func lookup(path: Substring, accept: (Value) -> Bool) -> (value: Value, score: Int, rank: Int, order: Int)? {
        var best: (value: Value, score: Int, rank: Int, order: Int)?
        Self.walk(root, path: path.utf8[...], depth: 0, literals: 0, accept: accept, best: &best)
        return best
    }

    private static func consider(
        _ entries: [Entry], score: Int, accept: (Value) -> Bool,
        best: inout (value: Value, score: Int, rank: Int, order: Int)?
    ) {
        for entry in entries where accept(entry.value) {
            if let current = best {
                let wins = score != current.score ? score > current.score
                    : entry.rank != current.rank ? entry.rank > current.rank : entry.order < current.order
                if wins { best = (entry.value, score, entry.rank, entry.order) }
            } else {
                best = (entry.value, score, entry.rank, entry.order)
            }
            return
        }
    }

    private static func walk(
        _ node: Node, path: Substring.UTF8View.SubSequence, depth: Int, literals: Int,
        accept: (Value) -> Bool, best: inout (value: Value, score: Int, rank: Int, order: Int)?
    ) {
        if !node.prefix.isEmpty {
            consider(node.prefix, score: depth * 1000 + literals, accept: accept, best: &best)
        }
        var rest = path
        while rest.first == UInt8(ascii: "/") { rest = rest.dropFirst() }
        guard !rest.isEmpty else {
            if !node.exact.isEmpty {
                consider(node.exact, score: 1_000_000 + depth * 1000 + literals, accept: accept, best: &best)
            }
            return
        }
        let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let segment = rest[..<end]
        let remainder = rest[end...]
        let literal = node.literal
        if !literal.isEmpty, let next = literal[String(Substring(segment))] {
            walk(next, path: remainder, depth: depth + 1, literals: literals + 1, accept: accept, best: &best)
        }
        if let param = node.param {
            walk(param, path: remainder, depth: depth + 1, literals: literals, accept: accept, best: &best)
        }
    }
}
