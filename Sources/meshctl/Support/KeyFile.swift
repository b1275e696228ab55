import Foundation

/// Key files: one base64 line, written with mode 0600 and never over an existing file unless asked.
enum KeyFile {
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, overwrite: Bool) throws {
        if FileManager.default.fileExists(atPath: path) {
            guard overwrite else { throw CLIError("\(path) exists; pass --force to replace it") }
            try? FileManager.default.removeItem(atPath: path)
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let line = Array((Data(bytes).base64EncodedString() + "\n").utf8)
        let written = line.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a base64 key file and checks its length.
    static func read(_ path: String, expectedLength: Int) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: text), bytes.count == expectedLength else {
            throw CLIError("\(path) does not hold a base64 key of \(expectedLength) bytes")
        }
        return [UInt8](bytes)
    }
}
