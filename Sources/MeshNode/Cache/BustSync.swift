import Gossip
import ManagerCore

/// The catch-up exchange of busts between two nodes of one environment, over the stream port.
///
/// The asker sends its name and bust vector (per origin, the sequence up to which it applied
/// every bust); the answer is the peer's vector and the logged busts the asker has not applied.
///
///     request = u8 format (1) | string environment | string asker | vector
///     reply   = vector | varint n | n × bytes (a `CacheBust` encoding)
///     vector  = varint n | n × (string origin, varint head), origins ascending, each once
///
/// Only this encoder's own form decodes.
struct BustSyncRequest: Equatable, Sendable {
    var environment: String
    /// The asker's node name, so a peer that finds the asker ahead can ask it back.
    var asker: String
    var heads: [String: UInt64]

    static let format: UInt8 = 1

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.format)
        writer.string(environment)
        writer.string(asker)
        BustVector.write(heads, to: &writer)
        return writer.bytes
    }

    init(environment: String, asker: String, heads: [String: UInt64]) {
        self.environment = environment
        self.asker = asker
        self.heads = heads
    }

    init?(bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        guard (try? reader.u8()) == Self.format, let environment = try? reader.string("environment"),
              EnvironmentName.isValid(environment), let asker = try? reader.string("asker"), !asker.isEmpty,
              let heads = try? BustVector.read(&reader), reader.isAtEnd
        else { return nil }
        self.init(environment: environment, asker: asker, heads: heads)
    }
}

struct BustSyncReply: Equatable, Sendable {
    var heads: [String: UInt64]
    var busts: [CacheBust]

    var bytes: [UInt8] {
        var writer = ByteWriter()
        BustVector.write(heads, to: &writer)
        writer.varint(busts.count)
        for bust in busts { writer.byteString(bust.bytes) }
        return writer.bytes
    }

    init(heads: [String: UInt64], busts: [CacheBust]) {
        self.heads = heads
        self.busts = busts
    }

    init?(bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        guard let heads = try? BustVector.read(&reader),
              let count = try? reader.count(limit: BustVector.maxEntries, "busts"), count <= reader.remaining
        else { return nil }
        var busts: [CacheBust] = []
        busts.reserveCapacity(count)
        for _ in 0..<count {
            guard let encoded = try? reader.byteString(limit: 4096, "bust"), let bust = CacheBust(bytes: encoded) else { return nil }
            busts.append(bust)
        }
        guard reader.isAtEnd else { return nil }
        self.init(heads: heads, busts: busts)
    }
}

enum BustVector {
    static let maxEntries = 4096

    static func write(_ heads: [String: UInt64], to writer: inout ByteWriter) {
        writer.varint(heads.count)
        for origin in heads.keys.sorted() {
            writer.string(origin)
            writer.varint(heads[origin]!)
        }
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> [String: UInt64] {
        let count = try reader.count(limit: maxEntries, "vector")
        guard count * 2 <= reader.remaining else { throw .truncated }
        var heads: [String: UInt64] = [:]
        var previous: String?
        for _ in 0..<count {
            let origin = try reader.string("origin")
            guard !origin.isEmpty, origin.utf8.count <= CacheBust.maxOriginBytes else { throw .invalidValue("origin") }
            if let previous, !(previous < origin) { throw .invalidValue("vector order") }
            previous = origin
            let head = try reader.varint()
            guard head >= 1 else { throw .invalidValue("head") }
            heads[origin] = head
        }
        return heads
    }
}
