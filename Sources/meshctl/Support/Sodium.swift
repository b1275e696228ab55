import CSodium

/// The few libsodium calls meshctl needs: random bytes and Ed25519 key pairs.
enum Sodium {
    static func initialize() throws {
        guard sodium_init() >= 0 else { throw CLIError("libsodium failed to initialise") }
    }

    static func randomBytes(_ count: Int) throws -> [UInt8] {
        try initialize()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    /// An Ed25519 key pair in libsodium's layout: a 64-byte secret key (seed and public key) and a 32-byte public key.
    static func signingKeyPair() throws -> (secretKey: [UInt8], publicKey: [UInt8]) {
        try initialize()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_publickeybytes()))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_secretkeybytes()))
        guard crypto_sign_keypair(&publicKey, &secretKey) == 0 else {
            throw CLIError("libsodium could not create an Ed25519 key pair")
        }
        return (secretKey, publicKey)
    }
}
