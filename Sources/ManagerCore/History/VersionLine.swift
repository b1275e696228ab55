/// One environment's line of signed versions, as the manager keeps it: every bundle it
/// signed or verified, oldest first, and the newest version the mesh has shown it.
///
/// Two managers holding the same key must not fork the line: a manager never signs at or
/// below a version it has heard of, and asks for the heard bundle before it signs again.
public struct VersionLine: Sendable {
    public let environment: String
    public private(set) var bundles: [ConfigBundle] = []
    /// The newest version members announce (their meta, rumors); may be ahead of `bundles`.
    public private(set) var newestHeard: UInt64 = 0

    public init(environment: String) { self.environment = environment }

    public var latest: ConfigBundle? { bundles.last }

    public func bundle(version: UInt64) -> ConfigBundle? {
        bundles.first { $0.header.version == version }
    }

    /// Adds a verified bundle of this environment; older or equal versions are ignored.
    public mutating func record(_ bundle: ConfigBundle) {
        guard bundle.header.environment == environment,
              bundle.header.version > (latest?.header.version ?? 0) else { return }
        bundles.append(bundle)
        newestHeard = max(newestHeard, bundle.header.version)
    }

    public mutating func heard(version: UInt64) { newestHeard = max(newestHeard, version) }

    public enum Next: Sendable, Equatable {
        /// The content is the latest version's: nothing to publish.
        case unchanged(ConfigBundle)
        /// Sign this version with this parent.
        case sign(version: UInt64, parent: ContentDigest?)
        /// The mesh runs a version this manager does not hold yet: fetch it first.
        case behind(heard: UInt64)
    }

    /// What publishing `content` takes.
    public func next(for content: GatewayConfig) -> Next { next(contentDigest: content.digest) }

    /// What publishing content of this digest takes.
    public func next(contentDigest: ContentDigest) -> Next {
        let held = latest?.header.version ?? 0
        if newestHeard > held { return .behind(heard: newestHeard) }
        if let latest, latest.header.contentDigest == contentDigest { return .unchanged(latest) }
        return .sign(version: held + 1, parent: latest?.header.contentDigest)
    }
}
