import Gossip

/// One node's cache figures, as `GET /v1/cache/stats` shows them and as a `cacheStats` stream
/// request answers them.
///
///     u8 format (1) | string node | u8 holds a cache (0 or 1) | 11 × varint: entries, bytes,
///     capacity, hits, misses, stored, evicted, invalidated, refused fills, store epoch,
///     busts applied
///
/// Only this encoder's own form decodes.
struct CacheFigures: Equatable, Sendable {
    var node: String
    /// False on a node without a gateway (a manager): it holds nothing, and the counts are 0.
    var holdsCache: Bool
    var entries = 0
    var bytes = 0
    var capacity = 0
    var hits = 0
    var misses = 0
    var stored = 0
    var evicted = 0
    var invalidated = 0
    var refusedFills = 0
    /// Busts applied to the store since start (every kind, config-change busts included).
    var storeEpoch: UInt64 = 0
    /// Mesh busts this node applied since start.
    var bustsApplied = 0

    static let format: UInt8 = 1

    private var counts: [UInt64] {
        [entries, bytes, capacity, hits, misses, stored, evicted, invalidated, refusedFills].map { UInt64(max(0, $0)) }
            + [storeEpoch, UInt64(max(0, bustsApplied))]
    }

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.u8(Self.format)
        writer.string(node)
        writer.u8(holdsCache ? 1 : 0)
        for count in counts { writer.varint(count) }
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
        guard reader.isAtEnd else { return nil }
        self.init(node: node, holdsCache: holds)
        (entries, bytes, capacity, hits, misses, stored, evicted, invalidated, refusedFills) =
            (Int(counts[0]), Int(counts[1]), Int(counts[2]), Int(counts[3]), Int(counts[4]), Int(counts[5]),
             Int(counts[6]), Int(counts[7]), Int(counts[8]))
        storeEpoch = counts[9]
        bustsApplied = Int(counts[10])
    }
}
