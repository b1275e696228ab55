import CSodium

/// Thin, checked wrappers over the libsodium calls the node uses.
enum Sodium {
    static let keyBytes = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    private static let initialized: Bool = sodium_init() >= 0

    /// Calls `sodium_init` once per process; every entry point below goes through it.
    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialize")
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    /// BLAKE2b of `input`, `length` bytes long.
    static func hash(_ input: [UInt8], length: Int = 32) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: length)
        _ = crypto_generichash(&out, length, input, UInt64(input.count), nil, 0)
        return out
    }

    static func seal(plaintext: [UInt8], additionalData: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var outLength: UInt64 = 0
        _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
            &out, &outLength, plaintext, UInt64(plaintext.count),
            additionalData, UInt64(additionalData.count), nil, nonce, key)
        return out
    }

    /// Returns nil when the ciphertext was not sealed with `key` or was altered.
    static func open<C: Collection<UInt8>>(
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
}

extension Array where Element == UInt8 {
    var hexString: String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        var s = ""
        s.reserveCapacity(count * 2)
        for b in self {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0x0f)])
        }
        return s
    }
}
