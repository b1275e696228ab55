import CacheRing
import Gossip
import ManagerCore

/// Names one bust in the whole mesh: the process that made it and its number there.
/// `origin` is `NAME#UID` (the node's name and its process's gossip uid, hex), so a node
/// restarted under the same name counts from 1 again without reusing an id.
struct BustID: Hashable, Sendable, CustomStringConvertible {
    var origin: String
    /// 1, 2, 3… per origin, without gaps.
    var sequence: UInt64

    var description: String { "\(origin)/\(sequence)" }
}

/// One bust as it travels between nodes (rumor payload and stream request body): which
/// environment's caches it is for, its id and what it selects.
///
///     u8 format (1) | string environment | string origin | varint sequence (≥ 1)
///     | u8 kind | string value (every kind but `all`, 7)
///
/// Kinds: 1 key, 2 resource, 3 prefix, 4 tag, 5 route, 6 path, 7 all. Strings are a varint
/// length and UTF-8 (the gossip codec's primitives); a value is 1 to 1,024 bytes. Only this
/// encoder's own form decodes: anything else, bytes left over included, is refused.
struct CacheBust: Hashable, Sendable {
    var environment: String
    var id: BustID
    var invalidation: Invalidation

    static let format: UInt8 = 1
    static let maxValueBytes = 1024
    static let maxOriginBytes = 255

    var bytes: [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.u8(Self.format)
        writer.string(environment)
        writer.string(id.origin)
        writer.varint(id.sequence)
        let (kind, value) = Self.parts(invalidation)
        writer.u8(kind)
        if let value { writer.string(value) }
        return writer.bytes
    }

    init(environment: String, id: BustID, invalidation: Invalidation) {
        self.environment = environment
        self.id = id
        self.invalidation = invalidation
    }

    /// Nil for anything but this encoder's own output of a valid bust.
    init?(bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        guard let bust = try? Self.read(&reader), reader.isAtEnd else { return nil }
        self = bust
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> CacheBust {
        guard try reader.u8() == format else { throw .invalidValue("bust format") }
        let environment = try reader.string("environment")
        let origin = try reader.string("origin")
        guard !origin.isEmpty, origin.utf8.count <= maxOriginBytes else { throw .invalidValue("origin") }
        let sequence = try reader.varint()
        guard sequence >= 1 else { throw .invalidValue("sequence") }
        let kind = try reader.u8()
        let invalidation: Invalidation
        if kind == 7 {
            invalidation = .all
        } else {
            let value = try reader.string("value")
            guard !value.isEmpty, value.utf8.count <= maxValueBytes,
                  let made = make(kind: kind, value: value) else { throw .invalidValue("bust kind or value") }
            invalidation = made
        }
        guard EnvironmentName.isValid(environment) else { throw .invalidValue("environment") }
        return CacheBust(environment: environment, id: BustID(origin: origin, sequence: sequence), invalidation: invalidation)
    }

    /// The names of the kinds 1 to 7, as the admin API writes them.
    static let kindNames = ["key", "resource", "prefix", "tag", "route", "path", "all"]

    /// The kind byte and value of an invalidation (nil value for `all`).
    static func parts(_ invalidation: Invalidation) -> (UInt8, String?) {
        switch invalidation {
        case .key(let text): (1, text)
        case .resource(let resource): (2, resource)
        case .prefix(let prefix): (3, prefix)
        case .tag(let tag): (4, tag)
        case .route(let route): (5, route)
        case .path(let path): (6, path)
        case .all: (7, nil)
        }
    }

    static func make(kind: UInt8, value: String) -> Invalidation? {
        switch kind {
        case 1: .key(value)
        case 2: .resource(value)
        case 3: .prefix(value)
        case 4: .tag(value)
        case 5: .route(value)
        case 6: .path(value)
        default: nil
        }
    }

    /// Whether an invalidation can travel: a value of 1 to 1,024 bytes (none for `all`).
    static func isSendable(_ invalidation: Invalidation) -> Bool {
        guard let value = parts(invalidation).1 else { return true }
        return !value.isEmpty && value.utf8.count <= maxValueBytes
    }
}

extension CacheBust {
    /// `meshgate.bust.ENV.`: the subjects of one environment's bust rumors.
    static func rumorPrefix(environment: String) -> String { "meshgate.bust.\(environment)." }

    /// An urgent rumor of its own per bust (`meshgate.bust.ENV.ORIGIN/SEQUENCE`, version =
    /// sequence), so the gossip layer keeps and hands on every recent bust, not only the newest.
    var rumor: Rumor {
        Rumor(subject: Self.rumorPrefix(environment: environment) + id.description, version: id.sequence,
              payload: bytes, urgent: true)
    }

    /// The bust a rumor carries; nil when its payload is malformed or disagrees with its subject.
    init?(rumor: Rumor) {
        guard let bust = CacheBust(bytes: rumor.payload), bust.rumor.subject == rumor.subject,
              bust.id.sequence == rumor.version else { return nil }
        self = bust
    }
}

/// What a node answers a bust sent to it directly: whether it applied it now, had applied it
/// already (the rumor came first), or holds no cache of that environment, and how many stored
/// variants the bust removed there.
///
///     u8 outcome (0 applied, 1 already applied, 2 other environment) | varint removed
struct BustAck: Equatable, Sendable {
    enum Outcome: UInt8, Sendable {
        case applied = 0
        case alreadyApplied = 1
        case otherEnvironment = 2
    }

    var outcome: Outcome
    var removed: Int

    var bytes: [UInt8] {
        var writer = ByteWriter(capacity: 4)
        writer.u8(outcome.rawValue)
        writer.varint(removed)
        return writer.bytes
    }

    init(outcome: Outcome, removed: Int) {
        self.outcome = outcome
        self.removed = removed
    }

    init?(bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        guard let raw = try? reader.u8(), let outcome = Outcome(rawValue: raw),
              let removed = try? reader.count(limit: Int(Int32.max), "removed"), reader.isAtEnd else { return nil }
        self.init(outcome: outcome, removed: removed)
    }
}
