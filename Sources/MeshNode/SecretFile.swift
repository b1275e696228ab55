import Sodium
import Foundation

/// Files only the node's user may read: the admin token and the keyring.
enum SecretFile {
    /// Writes through a temporary file created with mode 0600, then renames it into place.
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(
            atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
        if rename(temporary, path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

extension SecretFile {
    /// Creates `path` with mode 0600 unless it exists; returns false if it existed.
    static func createExclusively(_ data: Data, at path: String) throws -> Bool {
        let temporary = path + ".\(getpid()).tmp"
        try write(data, to: temporary)
        defer { unlink(temporary) }
        if link(temporary, path) == 0 { return true }
        if errno == EEXIST { return false }
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}

/// The admin API's bearer token: 32 random bytes, hex, created on first start.
public enum AdminToken {
    public static func loadOrCreate(path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path]) }
            return text
        }
        let token = Sodium.randomBytes(32).hexString
        // Several nodes on one machine may share a token file and start together:
        // the first to create it wins, the others read what it wrote.
        guard try SecretFile.createExclusively(Data((token + "\n").utf8), at: path) else {
            return try loadOrCreate(path: path)
        }
        return token
    }
}
