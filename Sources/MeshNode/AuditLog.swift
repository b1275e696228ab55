import Foundation
import ManagerCore

/// The append-only record of what changed the mesh's config and who asked: one JSON
/// object a line in `DATA/audit.log`. Lines are appended with `O_APPEND` and never rewritten.
final class AuditLog: @unchecked Sendable {
    let path: String
    private let lock = NSLock()

    init(path: String) { self.path = path }

    func record(action: String, token: String, environment: String?, version: UInt64?, detail: String?) {
        let entry = AuditEntry(time: ISO8601DateFormatter().string(from: Date()), action: action, token: token,
                               environment: environment, version: version, detail: detail)
        let line = CanonicalEncoding.encode(entry) + [UInt8(ascii: "\n")]
        lock.lock()
        defer { lock.unlock() }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Every entry, oldest first; a torn last line (a crash mid-write) is skipped.
    func entries() -> [AuditEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(AuditEntry.self, from: Data($0)) }
    }
}
