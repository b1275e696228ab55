import Gossip

extension Member {
    /// The admin API's Member object.
    public var json: JSONValue {
        let cache: JSONValue
        if let text = meta[MetaKey.cache], let parsed = JSONValue.parseObject(text) {
            cache = parsed
        } else {
            cache = .null
        }
        return .object([
            ("name", .string(id.name)),
            ("id", .string(String(id.uid, radix: 16))),
            ("address", .string(address.description)),
            ("role", .string(tags["role"] ?? "worker")),
            ("state", .string(state.rawValue)),
            ("incarnation", .int(Int64(bitPattern: incarnation))),
            ("tags", .strings(tags)),
            ("meta", .strings(meta)),
            ("config_version", meta[MetaKey.configVersion].flatMap { UInt64($0) }.map { .int(Int64($0)) } ?? .null),
            ("cache", cache),
        ])
    }
}

/// Member meta keys the node and later modules publish.
public enum MetaKey {
    /// Digest of the node's keyring; equal digests mean equal keyrings.
    public static let keyring = "keyring"
    public static let configVersion = "config_version"
    /// A JSON object of cache figures.
    public static let cache = "cache"
}
