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

            public init(after: String?, entity: Entity) {
                self.after = after
                self.entity = entity
            }
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
        upstreams = Self.changes(base.upstreams, target.upstreams)
        routes = Self.changes(base.routes, target.routes)
        guard rebuild(base) == target else { return nil }
    }

    /// The newer config, or nil when `base` is not the config this delta starts from.
    public func apply(to base: GatewayConfig) -> GatewayConfig? {
        guard base.digest == self.base else { return nil }
        return rebuild(base)
    }

    func rebuild(_ base: GatewayConfig) -> GatewayConfig? {
        guard let upstreams = Self.apply(upstreams, to: base.upstreams),
              let routes = Self.apply(routes, to: base.routes) else { return nil }
        return GatewayConfig(upstreams: upstreams, routes: routes)
    }

    static func changes<T: ConfigEntity>(_ old: [T], _ new: [T]) -> Changes<T> {
        let kept = Set(new.map(\.id))
        var changes = Changes<T>()
        changes.removed = old.map(\.id).filter { !kept.contains($0) }
        var previous: String?
        for (position, counterpart) in new.counterparts(in: old).enumerated() {
            let entity = new[position]
            if !new.isUnchanged(at: position, counterpart: counterpart, in: old) {
                changes.upserted.append(.init(after: previous, entity: entity))
            }
            previous = entity.id
        }
        return changes
    }

    /// `old` with the changes made, in one pass: each upsert follows the entity it names, and
    /// chains of upserts follow each other. Nil when an upsert names an entity that is not there.
    static func apply<T: ConfigEntity>(_ changes: Changes<T>, to old: [T]) -> [T]? {
        let dropped = Set(changes.removed + changes.upserted.map(\.entity.id))
        var first: T?
        var following: [String: T] = [:]
        for upsert in changes.upserted {
            if let after = upsert.after {
                guard following.updateValue(upsert.entity, forKey: after) == nil else { return nil }
            } else {
                guard first == nil else { return nil }
                first = upsert.entity
            }
        }
        var result: [T] = []
        result.reserveCapacity(old.count + changes.upserted.count)
        var inserted = 0
        func chain(after previous: String) -> Bool {
            var next = following[previous]
            while let entity = next {
                inserted += 1
                guard inserted <= changes.upserted.count else { return false }
                result.append(entity)
                next = following[entity.id]
            }
            return true
        }
        if let first {
            inserted += 1
            result.append(first)
            guard chain(after: first.id) else { return nil }
        }
        for entity in old where !dropped.contains(entity.id) {
            result.append(entity)
            guard chain(after: entity.id) else { return nil }
        }
        return inserted == changes.upserted.count ? result : nil
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

    /// The full bundle and its content decoded, from a delta and the config it starts from:
    /// `base`, whose canonical bytes are `baseContent` and digest `baseDigest`. The result
    /// still goes through `BundleVerifier`: the signature covers the header, which names the
    /// digest the rebuilt content must have.
    public static func rebuild(delta bytes: [UInt8], base: GatewayConfig, baseContent: [UInt8], baseDigest: ContentDigest)
        throws(BundleRejection) -> (bundle: ConfigBundle, config: GatewayConfig)
    {
        guard bytes.count > 4, Array(bytes.prefix(4)) == Array("MGD1".utf8) else { throw .malformed }
        // Same layout as a bundle: parse it as one, then read its "content" as the delta.
        let framed = try ConfigBundle.parse(Array("MGB1".utf8) + bytes.dropFirst(4))
        guard let delta = try? CanonicalEncoding.decode(ConfigDelta.self, from: framed.content) else { throw .malformed }
        guard delta.base == baseDigest, let rebuilt = delta.rebuild(base) else { throw .contentMismatch }
        let bundle = ConfigBundle(header: framed.header, headerBytes: framed.headerBytes,
                                  content: rebuilt.canonicalBytes(reusing: base, content: baseContent), signature: framed.signature)
        return (bundle, rebuilt)
    }
}
