import Sodium
import Foundation

/// The dev mesh's folder: a cluster key and an admin token shared by its nodes (kept between runs),
/// and one data folder per node holding its state and log.
struct DevFolder {
    let path: String

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: clusterKeyPath) {
            try KeyFile.write(Sodium.randomBytes(KeygenCommand.clusterKeyLength), to: clusterKeyPath, overwrite: false)
        }
        if !FileManager.default.fileExists(atPath: signingKeyPath) {
            let pair = Ed25519.keyPair()
            try KeyFile.write(pair.secretKey, to: signingKeyPath, overwrite: true)
            try KeyFile.write(pair.publicKey, to: trustKeyPath, mode: 0o644, overwrite: true)
        }
        if !FileManager.default.fileExists(atPath: tokenPath) {
            let token = Sodium.randomBytes(32).hexString
            guard FileManager.default.createFile(atPath: tokenPath, contents: Data((token + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write \(tokenPath)")
            }
        }
    }

    var clusterKeyPath: String { "\(path)/cluster.key" }
    var tokenPath: String { "\(path)/admin.token" }
    /// The manager's Ed25519 key pair: it signs the dev mesh's config, the workers trust its public half.
    var signingKeyPath: String { "\(path)/manager.key" }
    var trustKeyPath: String { "\(path)/manager.pub" }

    func dataPath(_ name: String) -> String { "\(path)/\(name)" }

    func logPath(_ name: String) -> String {
        try? FileManager.default.createDirectory(atPath: dataPath(name), withIntermediateDirectories: true)
        return "\(dataPath(name))/meshd.log"
    }
}
