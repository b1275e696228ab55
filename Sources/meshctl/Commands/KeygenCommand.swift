import Sodium
import ArgumentParser
import Foundation

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a cluster key (32 random bytes, base64) or, with --signing, an Ed25519 key pair.",
        discussion: """
            Without --out the key goes to stdout. With --out PREFIX a cluster key is written to PREFIX.key; \
            a signing pair to PREFIX.key (secret, 64 bytes) and PREFIX.pub (public, 32 bytes). Secret files get mode 0600.
            """
    )

    static let clusterKeyLength = 32

    @Flag(help: "Create an Ed25519 signing key pair for the manager instead of a cluster key.")
    var signing = false

    @Option(help: "Write the key to PREFIX.key (and PREFIX.pub with --signing).")
    var out: String?

    @Flag(help: "Replace existing key files.")
    var force = false

    func run() throws {
        if signing {
            let pair = Ed25519.keyPair()
            guard let out else {
                print("secret \(Data(pair.secretKey).base64EncodedString())")
                print("public \(Data(pair.publicKey).base64EncodedString())")
                return
            }
            try KeyFile.write(pair.secretKey, to: "\(out).key", overwrite: force)
            try KeyFile.write(pair.publicKey, to: "\(out).pub", mode: 0o644, overwrite: force)
            print("wrote \(out).key (secret) and \(out).pub (public)")
            return
        }
        let key = Sodium.randomBytes(Self.clusterKeyLength)
        guard let out else {
            print(Data(key).base64EncodedString())
            return
        }
        try KeyFile.write(key, to: "\(out).key", overwrite: force)
        print("wrote \(out).key")
    }
}
