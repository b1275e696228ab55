import Sodium

/// The entities that changed between two configs, enough to rebuild the newer one from the
/// older: what a worker that runs the parent version fetches instead of the whole bundle.
///
/// Applying it removes the removed and the upserted ids, then inserts each upserted entity
/// after the id that precedes it in the new config. A change it cannot express (entities
/// reordered without changing) makes `init` return nil, and the full bundle is sent.
public struct ConfigDelta: Sendable, Equatable, Codable {
    public struct Changes<Entity: Sendable & Equatable & Codable>: Sendable, Equatable, Codable {
        public struct Upsert: Sendable, Equatable, Codable {
            /// The id the entity follows in the new config; nil for the first.
            public var after: String?
            public var entity: Entity
        }

        public var removed: [String] = []
        public var upserted: [Upsert] = []
    }

    public var base: ContentDigest
    public var upstreams: Changes<UpstreamConfig>
    public var routes: Changes<RouteConfig>

    /// `baseDigest` is `base.digest` when the caller knows it already.
    public init?(from base: GatewayConfig, to target: GatewayConfig, baseDigest: ContentDigest? = nil) {
        self.base = baseDigest ?? base.digest
        upstreams = Self.changes(base.upstreams, target.upstreams, id: \.id)
        routes = Self.changes(base.routes, target.routes, id: \.id)
        guard rebuild(base) == target else { return nil }
    }

    /// The newer config, or nil when `base` is not the config this delta starts from.
    public func apply(to base: GatewayConfig) -> GatewayConfig? {
        guard base.digest == self.base else { return nil }
        return rebuild(base)
    }

    func rebuild(_ base: GatewayConfig) -> GatewayConfig? {
        guard let upstreams = Self.apply(upstreams, to: base.upstreams, id: \.id),
              let routes = Self.apply(routes, to: base.routes, id: \.id) else { return nil }
        return GatewayConfig(upstreams: upstreams, routes: routes)
    }

    static func changes<T>(_ old: [T], _ new: [T], id: KeyPath<T, String>) -> Changes<T> {
        let before = Dictionary(old.map { ($0[keyPath: id], $0) }, uniquingKeysWith: { a, _ in a })
        let kept = Set(new.map { $0[keyPath: id] })
        var changes = Changes<T>()
        changes.removed = old.map { $0[keyPath: id] }.filter { !kept.contains($0) }
        var previous: String?
        for entity in new {
            let key = entity[keyPath: id]
            if before[key] != entity { changes.upserted.append(.init(after: previous, entity: entity)) }
            previous = key
        }
        return changes
    }

    static func apply<T>(_ changes: Changes<T>, to old: [T], id: KeyPath<T, String>) -> [T]? {
        let dropped = Set(changes.removed + changes.upserted.map { $0.entity[keyPath: id] })
        var result = old.filter { !dropped.contains($0[keyPath: id]) }
        for upsert in changes.upserted {
            if let after = upsert.after {
                guard let index = result.firstIndex(where: { $0[keyPath: id] == after }) else { return nil }
                result.insert(upsert.entity, at: index + 1)
            } else {
                result.insert(upsert.entity, at: 0)
            }
        }
        return result
    }
}

extension ConfigBundle {
    /// This bundle as a delta from `base`: the signed header, the signature and the changed
    /// entities. Nil when the change is not expressible as a delta.
    ///
    /// Byte form: `MGD1`, the header (4-byte length, bytes), the delta's canonical JSON
    /// (4-byte length, bytes), the 64-byte signature.
    /// `target` is this bundle's content decoded, and `baseDigest` the base's digest, when the
    /// caller holds them already.
    public func delta(from base: GatewayConfig, baseDigest: ContentDigest? = nil, target: GatewayConfig? = nil) -> [UInt8]? {
        guard let target = target ?? (try? CanonicalEncoding.decode(GatewayConfig.self, from: content)),
              let delta = ConfigDelta(from: base, to: target, baseDigest: baseDigest) else { return nil }
        let body = CanonicalEncoding.encode(delta)
        var out = Array("MGD1".utf8)
        Self.appendLength(headerBytes.count, to: &out)
        out += headerBytes
        Self.appendLength(body.count, to: &out)
        out += body
        return out + signature
    }

    /// Rebuilds the full bundle from a delta and the config it starts from. The result still
    /// goes through `BundleVerifier`: the signature covers the header, which names the digest
    /// the rebuilt content must have.
    /// The full bundle and its content decoded, from a delta and the config (of known digest) it starts from.
    public static func rebuild(delta bytes: [UInt8], base: GatewayConfig, baseDigest: ContentDigest)
        throws(BundleRejection) -> (bundle: ConfigBundle, config: GatewayConfig)
    {
        guard bytes.count > 4, Array(bytes.prefix(4)) == Array("MGD1".utf8) else { throw .malformed }
        // Same layout as a bundle: parse it as one, then read its "content" as the delta.
        let framed = try ConfigBundle.parse(Array("MGB1".utf8) + bytes.dropFirst(4))
        guard let delta = try? CanonicalEncoding.decode(ConfigDelta.self, from: framed.content) else { throw .malformed }
        guard delta.base == baseDigest, let rebuilt = delta.rebuild(base) else { throw .contentMismatch }
        let bundle = ConfigBundle(header: framed.header, headerBytes: framed.headerBytes, content: rebuilt.canonicalBytes,
                                  signature: framed.signature)
        return (bundle, rebuilt)
    }
}
