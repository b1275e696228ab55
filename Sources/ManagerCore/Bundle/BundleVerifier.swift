import Sodium
/// Why a worker refused a bundle; the raw value is the `reason` label of
/// `meshgate_config_rejected_total`.
public enum BundleRejection: String, Error, Sendable, CaseIterable, CustomStringConvertible {
    /// Truncated, or not a bundle at all.
    case malformed
    /// Signed by a key this node does not trust.
    case unknownKey = "unknown_key"
    /// The signature does not verify: the header was altered, or forged.
    case badSignature = "bad_signature"
    /// The content is not what the signed header names: altered in transit or at rest.
    case contentMismatch = "content_mismatch"
    /// Signed for another environment.
    case wrongEnvironment = "wrong_environment"
    /// Not newer than the version this node runs: a replay, or a fork.
    case staleVersion = "stale_version"
    /// Signed, but not a config this node can serve.
    case invalidConfig = "invalid_config"

    public var description: String {
        switch self {
        case .malformed: return "malformed or truncated bundle"
        case .unknownKey: return "signed by a key this node does not trust"
        case .badSignature: return "the signature does not verify"
        case .contentMismatch: return "the content does not match the signed digest"
        case .wrongEnvironment: return "signed for another environment"
        case .staleVersion: return "not newer than the running version"
        case .invalidConfig: return "the content is not a valid config"
        }
    }
}

/// A bundle whose signature, digest and content were checked.
public struct VerifiedBundle: Sendable, Equatable {
    public let bundle: ConfigBundle
    public let config: GatewayConfig
    public var header: BundleHeader { bundle.header }
    /// Verification validated the content.
    public var valid: ValidConfig { ValidConfig(checked: config) }
}

/// What a node accepts: a bundle signed by a trusted key, for its environment, newer than
/// what it runs, whose content is the signed digest and a valid config.
public struct BundleVerifier: Sendable {
    public let trusted: [String: TrustedKey]
    public let environment: String

    public init(trusted: [TrustedKey], environment: String) {
        self.trusted = Dictionary(trusted.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first })
        self.environment = environment
    }

    /// Checks in order of cost; `running` is the version served now (nil: none yet).
    public func verify(_ bytes: [UInt8], running: UInt64?) throws(BundleRejection) -> VerifiedBundle {
        let bundle = try ConfigBundle.parse(bytes)
        return try verify(bundle, running: running)
    }

    /// `decoded` is the content already decoded, when the caller made `bundle.content` by
    /// encoding it (a bundle rebuilt from a delta); the digest is checked either way.
    /// `checkedBefore` is a config this node verified already: entities equal to its own are
    /// not value-checked again (`ManifestValidation.problems(in:checkedBefore:)`).
    public func verify(_ bundle: ConfigBundle, running: UInt64?, decoded: GatewayConfig? = nil,
                       checkedBefore base: GatewayConfig? = nil) throws(BundleRejection) -> VerifiedBundle {
        guard let key = trusted[bundle.header.keyID] else { throw .unknownKey }
        guard Ed25519.verify(bundle.signature, of: ConfigBundle.signingContext + bundle.headerBytes, publicKey: key.publicKey) else {
            throw .badSignature
        }
        guard bundle.header.environment == environment else { throw .wrongEnvironment }
        if let running, bundle.header.version <= running { throw .staleVersion }
        guard ContentDigest(of: bundle.content) == bundle.header.contentDigest else { throw .contentMismatch }
        guard let config = decoded ?? (try? CanonicalEncoding.decode(GatewayConfig.self, from: bundle.content)),
              ManifestValidation.problems(in: config, checkedBefore: base).isEmpty else { throw .invalidConfig }
        return VerifiedBundle(bundle: bundle, config: config)
    }
}
