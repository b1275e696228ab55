import CSodium

/// Ed25519 signatures (libsodium's `crypto_sign_*`): a 64-byte secret key (seed followed by
/// the public key), a 32-byte public key and 64-byte detached signatures.
public enum Ed25519 {
    public static let publicKeyBytes = Int(crypto_sign_PUBLICKEYBYTES)
    public static let secretKeyBytes = Int(crypto_sign_SECRETKEYBYTES)
    public static let seedBytes = Int(crypto_sign_SEEDBYTES)
    public static let signatureBytes = Int(crypto_sign_BYTES)

    public struct KeyPair: Sendable {
        public let secretKey: [UInt8]
        public let publicKey: [UInt8]
    }

    public static func keyPair() -> KeyPair {
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        var secretKey = [UInt8](repeating: 0, count: secretKeyBytes)
        precondition(crypto_sign_keypair(&publicKey, &secretKey) == 0, "libsodium could not create an Ed25519 key pair")
        return KeyPair(secretKey: secretKey, publicKey: publicKey)
    }

    /// The key pair a secret key belongs to; nil when `secretKey` is not 64 bytes, or is
    /// not a seed followed by that seed's public key.
    public static func keyPair(secretKey: [UInt8]) -> KeyPair? {
        Sodium.ensureInitialized()
        guard secretKey.count == secretKeyBytes else { return nil }
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        var again = [UInt8](repeating: 0, count: secretKeyBytes)
        guard crypto_sign_seed_keypair(&publicKey, &again, Array(secretKey.prefix(seedBytes))) == 0,
              again == secretKey else { return nil }
        return KeyPair(secretKey: secretKey, publicKey: publicKey)
    }

    public static func sign(_ message: [UInt8], secretKey: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        precondition(secretKey.count == secretKeyBytes, "an Ed25519 secret key is \(secretKeyBytes) bytes")
        var signature = [UInt8](repeating: 0, count: signatureBytes)
        _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        return signature
    }

    public static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        Sodium.ensureInitialized()
        guard signature.count == signatureBytes, publicKey.count == publicKeyBytes else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
