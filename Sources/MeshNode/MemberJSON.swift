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
            ("config_version", configVersion.map { .int(Int64($0)) } ?? .null),
            ("cache", cache),
        ])
    }
}

extension Member {
    /// The config version the member serves: its meta's `config.ENV` for its own `env` tag.
    var configVersion: UInt64? {
        meta[MetaKey.config(tags["env"] ?? "default")].flatMap(ConfigAnnouncement.version(fromMeta:))
    }
}

/// Member meta keys the node and later modules publish.
public enum MetaKey {
    /// Digest of the node's keyring; equal digests mean equal keyrings.
    public static let keyring = "keyring"
    /// A JSON object of cache figures.
    public static let cache = "cache"
}
