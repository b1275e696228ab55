import Sodium
import Foundation

/// The installed cluster keys and the primary one.
///
/// Every key opens incoming packets; only the primary seals outgoing ones. Rotating
/// the mesh's key is install (everywhere) → use (everywhere) → remove the old one,
/// so that at every moment every node can open what any other node sends.
public struct Keyring: Equatable, Sendable {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case unknownKey(String)
        case removingPrimary
        case empty

        public var description: String {
            switch self {
            case .unknownKey(let k): return "no installed key matches \(k)"
            case .removingPrimary: return "the primary key cannot be removed; use another key first"
            case .empty: return "a keyring needs at least one key"
            }
        }
    }

    /// Installed keys; the primary is always first.
    public private(set) var keys: [ClusterKey]

    public init(primary: ClusterKey, others: [ClusterKey] = []) {
        keys = [primary] + others.filter { $0 != primary }
    }

    public var primary: ClusterKey { keys[0] }

    /// Adds a key for opening packets; installing a key twice changes nothing.
    public mutating func install(_ key: ClusterKey) {
        if !keys.contains(key) { keys.append(key) }
    }

    /// Makes an installed key the primary.
    public mutating func use(_ reference: String) throws(Error) {
        let key = try find(reference)
        keys.removeAll { $0 == key }
        keys.insert(key, at: 0)
    }

    public mutating func remove(_ reference: String) throws(Error) {
        let key = try find(reference)
        guard key != primary else { throw .removingPrimary }
        keys.removeAll { $0 == key }
    }

    /// A key named by its base64 text or its fingerprint.
    public func find(_ reference: String) throws(Error) -> ClusterKey {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        if let key = try? ClusterKey(base64: trimmed), keys.contains(key) { return key }
        if let key = keys.first(where: { $0.fingerprint == trimmed.lowercased() }) { return key }
        throw .unknownKey(trimmed)
    }

    /// A short digest of the installed fingerprints and the primary, published in member
    /// meta so that a node can see when every other node holds the same keyring.
    public var digest: String {
        let text = "primary=\(primary.fingerprint);" + keys.map(\.fingerprint).sorted().joined(separator: ",")
        return Array(Sodium.hash(Array(text.utf8)).prefix(6)).hexString
    }
}

extension Keyring: Codable {
    private enum CodingKeys: String, CodingKey { case primary, keys }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let primary = try ClusterKey(base64: c.decode(String.self, forKey: .primary))
        let others = try c.decode([String].self, forKey: .keys).map { try ClusterKey(base64: $0) }
        self.init(primary: primary, others: others)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(primary.base64, forKey: .primary)
        try c.encode(keys.map(\.base64), forKey: .keys)
    }
}

/// Keeps the keyring in DATA/keyring.json (mode 0600) so a restart keeps a rotated key.
public struct KeyringFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func load() throws -> Keyring? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(Keyring.self, from: data)
    }

    public func save(_ keyring: Keyring) throws {
        let data = try JSONEncoder().encode(keyring)
        try SecretFile.write(data, to: path)
    }
}
