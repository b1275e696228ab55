import CSodium
import Crypto

/// The one crypto wrapper of the code base, over libsodium: random bytes, hashes, the AEAD
/// that seals gossip, and the Ed25519 signatures that sign config bundles. SHA-256 alone comes
/// from swift-crypto, whose BoringSSL uses the CPU's SHA instructions where libsodium's code is
/// portable C (every worker hashes each config it is sent; docs/performance.md).
///
/// Every entry point initialises libsodium once per process; a library that cannot start
/// leaves nothing safe to do, so that is a crash, not an error to handle.
public enum Sodium {
    public static let keyBytes = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    public static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    public static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    private static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialize")
    }

    public static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    /// BLAKE2b of `input`, `length` bytes long.
    public static func hash(_ input: [UInt8], length: Int = 32) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: length)
        _ = crypto_generichash(&out, length, input, UInt64(input.count), nil, 0)
        return out
    }

    /// SHA-256 of `input`: the digest config content is named by, which any tool can recompute.
    public static func sha256<Bytes: Collection<UInt8>>(_ input: Bytes) -> [UInt8] {
        Array(SHA256.hash(data: Array(input)))
    }

    public static func seal(plaintext: [UInt8], additionalData: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var outLength: UInt64 = 0
        _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
            &out, &outLength, plaintext, UInt64(plaintext.count),
            additionalData, UInt64(additionalData.count), nil, nonce, key)
        return out
    }

    /// Returns nil when the ciphertext was not sealed with `key` or was altered.
    public static func open<C: Collection<UInt8>>(
        ciphertext: C, additionalData: [UInt8], nonce: [UInt8], key: [UInt8]
    ) -> [UInt8]? {
        ensureInitialized()
        guard ciphertext.count >= tagBytes else { return nil }
        let sealed = Array(ciphertext)
        var out = [UInt8](repeating: 0, count: sealed.count - tagBytes)
        var outLength: UInt64 = 0
        let rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
            &out, &outLength, nil, sealed, UInt64(sealed.count),
            additionalData, UInt64(additionalData.count), nonce, key)
        guard rc == 0 else { return nil }
        return Array(out.prefix(Int(outLength)))
    }

    /// Whether two byte strings are equal, in time that depends only on their length.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        ensureInitialized()
        return a.count == b.count && sodium_memcmp(a, b, a.count) == 0
    }
}
