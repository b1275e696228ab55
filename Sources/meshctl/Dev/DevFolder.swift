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
            try KeyFile.write(try Sodium.randomBytes(KeygenCommand.clusterKeyLength), to: clusterKeyPath, overwrite: false)
        }
        if !FileManager.default.fileExists(atPath: tokenPath) {
            let token = try Sodium.randomBytes(32).map { String(format: "%02x", $0) }.joined()
            guard FileManager.default.createFile(atPath: tokenPath, contents: Data((token + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write \(tokenPath)")
            }
        }
    }

    var clusterKeyPath: String { "\(path)/cluster.key" }
    var tokenPath: String { "\(path)/admin.token" }

    func dataPath(_ name: String) -> String { "\(path)/\(name)" }

    func logPath(_ name: String) -> String {
        try? FileManager.default.createDirectory(atPath: dataPath(name), withIntermediateDirectories: true)
        return "\(dataPath(name))/meshd.log"
    }
}
