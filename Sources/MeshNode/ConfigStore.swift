import Foundation
import ManagerCore

/// Signed bundles on disk, under `--data-dir`: `config/ENV.bundle` is the last verified
/// bundle a node serves (its last-known-good, loaded at start), and on the manager
/// `history/ENV/VERSION.bundle` keeps every version it signed or verified.
/// Every file is written to a temporary name (mode 0600) and renamed, so a crash leaves the old file or the new one.
struct ConfigStore: Sendable {
    let dataDir: String

    var configDir: String { (dataDir as NSString).appendingPathComponent("config") }
    var historyDir: String { (dataDir as NSString).appendingPathComponent("history") }

    func currentPath(environment: String) -> String {
        (configDir as NSString).appendingPathComponent("\(environment).bundle")
    }

    /// `bytes` is `bundle.bytes`.
    func saveCurrent(_ bundle: ConfigBundle, bytes: [UInt8]) throws {
        try SecretFile.write(Data(bytes), to: currentPath(environment: bundle.header.environment))
    }

    func loadCurrent(environment: String) -> [UInt8]? {
        FileManager.default.contents(atPath: currentPath(environment: environment)).map { [UInt8]($0) }
    }

    func appendHistory(_ bundle: ConfigBundle, bytes: [UInt8]) throws {
        let folder = (historyDir as NSString).appendingPathComponent(bundle.header.environment)
        try SecretFile.write(Data(bytes), to: (folder as NSString).appendingPathComponent("\(bundle.header.version).bundle"))
    }

    /// Every environment with a history, and its bundles' bytes in version order.
    func loadHistory() -> [String: [[UInt8]]] {
        var result: [String: [[UInt8]]] = [:]
        let environments = (try? FileManager.default.contentsOfDirectory(atPath: historyDir)) ?? []
        for environment in environments where EnvironmentName.isValid(environment) {
            let folder = (historyDir as NSString).appendingPathComponent(environment)
            let versions = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .compactMap { name -> UInt64? in name.hasSuffix(".bundle") ? UInt64(name.dropLast(7)) : nil }
                .sorted()
            result[environment] = versions.compactMap { version in
                FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("\(version).bundle")).map { [UInt8]($0) }
            }
        }
        return result
    }
}
