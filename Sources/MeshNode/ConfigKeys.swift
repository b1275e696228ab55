import Foundation
import ManagerCore

/// The keys a node's config comes with: the manager's signing key, and the public keys
/// bundles are accepted from (`--trust-key`, plus the manager's own).
struct ConfigKeys {
    var signing: SigningKey?
    var trusted: [TrustedKey]

    static func load(options: NodeOptions) throws -> ConfigKeys {
        var signing: SigningKey?
        switch (options.role, options.signingKey) {
        case (.manager, nil):
            throw OptionError("--role manager needs --signing-key (create one with `meshctl keygen --signing --out manager`)")
        case (.worker, _?):
            throw OptionError("--signing-key is for --role manager; a worker trusts the manager's public key with --trust-key")
        case (.manager, let path?):
            let bytes = try read(path, option: "--signing-key")
            guard let key = SigningKey(secretKey: bytes) else {
                throw OptionError("--signing-key \(path): not an Ed25519 secret key (64 bytes, base64, from `meshctl keygen --signing`)")
            }
            signing = key
        case (.worker, nil):
            break
        }
        if options.config != nil, !options.trustKeys.isEmpty {
            throw OptionError("--config and --trust-key are two sources of gateway config; give one: --config for a node on its own, --trust-key for a node the manager configures")
        }
        if options.role == .manager, options.config != nil {
            throw OptionError("the manager publishes config with `meshctl apply`; it takes no --config")
        }
        var trusted = try options.trustKeys.map { path -> TrustedKey in
            let bytes = try read(path, option: "--trust-key")
            guard let key = TrustedKey(publicKey: bytes) else {
                throw OptionError("--trust-key \(path): not an Ed25519 public key (32 bytes, base64, the .pub of `meshctl keygen --signing`)")
            }
            return key
        }
        if let signing, !trusted.contains(signing.publicKey) { trusted.append(signing.publicKey) }
        return ConfigKeys(signing: signing, trusted: trusted)
    }

    private static func read(_ path: String, option: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OptionError("cannot read \(option) \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: text) else { throw OptionError("\(option) \(path) is not base64") }
        return [UInt8](bytes)
    }
}
