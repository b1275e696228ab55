import Sodium
/// The manager's Ed25519 secret key, and the public keys workers trust.
public struct SigningKey: Sendable {
    public let secretKey: [UInt8]
    public let publicKey: TrustedKey

    /// From libsodium's 64-byte secret key; nil when it is not one.
    public init?(secretKey: [UInt8]) {
        guard let pair = Ed25519.keyPair(secretKey: secretKey) else { return nil }
        self.secretKey = pair.secretKey
        self.publicKey = TrustedKey(publicKey: pair.publicKey)!
    }

    /// Signs `content` as `environment`'s `version`.
    public func sign(content: GatewayConfig, environment: String, version: UInt64, parent: ContentDigest?,
                     createdAtMillis: Int64, author: String, summary: String) -> ConfigBundle {
        sign(contentBytes: content.canonicalBytes, environment: environment, version: version, parent: parent,
             createdAtMillis: createdAtMillis, author: author, summary: summary)
    }

    /// Signs content already in its canonical form (`GatewayConfig.canonicalBytes`).
    public func sign(contentBytes: [UInt8], environment: String, version: UInt64, parent: ContentDigest?,
                     createdAtMillis: Int64, author: String, summary: String) -> ConfigBundle {
        let header = BundleHeader(
            environment: environment, version: version, parentDigest: parent, contentDigest: ContentDigest(of: contentBytes),
            createdAtMillis: createdAtMillis, keyID: publicKey.keyID, author: author, summary: summary)
        let headerBytes = CanonicalEncoding.encode(header)
        let signature = Ed25519.sign(ConfigBundle.signingContext + headerBytes, secretKey: secretKey)
        return ConfigBundle(header: header, headerBytes: headerBytes, content: contentBytes, signature: signature)
    }
}

/// A public key a worker accepts config from (`--trust-key`, repeatable for rotation).
public struct TrustedKey: Sendable, Hashable {
    public let publicKey: [UInt8]
    /// The first 8 bytes of the key's SHA-256, in hex: what a bundle names its signer by.
    public let keyID: String

    public init?(publicKey: [UInt8]) {
        guard publicKey.count == Ed25519.publicKeyBytes else { return nil }
        self.publicKey = publicKey
        self.keyID = Array(Sodium.sha256(publicKey).prefix(8)).hexString
    }
}
