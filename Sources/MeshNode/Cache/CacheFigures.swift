import CacheRing
import Gossip

/// One node's cache figures, as `GET /v1/cache/stats` shows them and as a `cacheStats` stream
/// request answers them.
///
///     u8 format (3) | string node | u8 holds a cache (0 or 1) | 11 × varint: entries, bytes,
///     capacity, hits, misses, stored, evicted, invalidated, refused fills, store epoch,
///     busts applied | varint route count | per route, names in increasing order:
///     string route | varint entries | varint bytes | varint evicted | varint invalidated |
///     varint outcome route count | per route, names in increasing order: string route |
///     7 × varint: hits, near hits, misses, stale served, revalidated, bypass, coalesced
///
/// Only this encoder's own form decodes.
struct CacheFigures: Equatable, Sendable {
    var node: String
    /// False on a node without a gateway (a manager): it holds nothing, and the counts are 0.
    var holdsCache: Bool
    /// The store's figures; its epoch counts the busts applied to the store since start (every
    /// kind, config-change busts included).
    var store = ResponseStoreFigures()
    /// Mesh busts this node applied since start.
    var bustsApplied = 0
    /// What the gateway's cache did for each route's requests since start; routes that have
    /// had none are left out.
    var outcomes: [String: CacheOutcomes] = [:]

    static let format: UInt8 = 3
    /// Routes one answer may carry.
    static let maxRoutes = 1 << 16

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.u8(Self.format)
        writer.string(node)
        writer.u8(holdsCache ? 1 : 0)
        let s = store.stats
        for count in [store.entries, store.bytes, store.capacity, s.hits, s.misses, s.stored, s.evicted, s.invalidated,
                      s.refusedFills] {
            writer.varint(UInt64(max(0, count)))
        }
        writer.varint(store.epoch)
        writer.varint(UInt64(max(0, bustsApplied)))
        writer.varint(UInt64(store.routes.count))
        for route in store.routes.keys.sorted() {
            let share = store.routes[route]!
            writer.string(route)
            for count in [share.entries, share.bytes, share.evicted, share.invalidated] { writer.varint(UInt64(max(0, count))) }
        }
        writer.varint(UInt64(outcomes.count))
        for route in outcomes.keys.sorted() {
            let o = outcomes[route]!
            writer.string(route)
            for count in [o.hits, o.nearHits, o.misses, o.staleServed, o.revalidated, o.bypass, o.coalesced] {
                writer.varint(UInt64(max(0, count)))
            }
        }
        return writer.bytes
    }

    init(node: String, holdsCache: Bool) {
        self.node = node
        self.holdsCache = holdsCache
    }

    init?(encoded: [UInt8]) {
        var reader = ByteReader(encoded)
        guard (try? reader.u8()) == Self.format, let node = try? reader.string("node"), !node.isEmpty,
              let holds = try? reader.flag("holds a cache") else { return nil }
        var counts: [UInt64] = []
        for _ in 0..<11 {
            guard let count = try? reader.varint(), count <= UInt64(Int.max) else { return nil }
            counts.append(count)
        }
        guard let routeCount = try? reader.count(limit: Self.maxRoutes, "routes") else { return nil }
        guard let routes = Self.routes(routeCount, counts: 4, &reader, { c in
                  RouteShare(entries: c[0], bytes: c[1], evicted: c[2], invalidated: c[3])
              }),
              let outcomeCount = try? reader.count(limit: Self.maxRoutes, "outcome routes"),
              let outcomes = Self.routes(outcomeCount, counts: 7, &reader, { c in
                  CacheOutcomes(hits: c[0], nearHits: c[1], misses: c[2], staleServed: c[3], revalidated: c[4], bypass: c[5],
                                coalesced: c[6])
              }),
              reader.isAtEnd
        else { return nil }
        self.init(node: node, holdsCache: holds)
        let c = counts.map { Int($0) }
        store = ResponseStoreFigures(entries: c[0], bytes: c[1], capacity: c[2], epoch: counts[9], routes: routes)
        (store.stats.hits, store.stats.misses, store.stats.stored, store.stats.evicted, store.stats.invalidated,
         store.stats.refusedFills) = (c[3], c[4], c[5], c[6], c[7], c[8])
        bustsApplied = c[10]
        self.outcomes = outcomes
    }

    /// `count` routes, names in increasing order, each with `counts` varints made into a value.
    private static func routes<Value>(_ count: Int, counts: Int, _ reader: inout ByteReader,
                                      _ make: ([Int]) -> Value) -> [String: Value]? {
        var routes: [String: Value] = [:]
        var previous: String?
        for _ in 0..<count {
            guard let route = try? reader.string("route"), previous.map({ $0 < route }) ?? true else { return nil }
            var values: [Int] = []
            for _ in 0..<counts {
                guard let value = try? reader.varint(), value <= UInt64(Int.max) else { return nil }
                values.append(Int(value))
            }
            routes[route] = make(values)
            previous = route
        }
        return routes
    }
}
