import Foundation

/// Finds a program installed beside meshctl itself (as `swift build` and packages lay them out).
enum SiblingExecutable {
    static func path(_ name: String) throws -> String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let sibling = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        let path = environmentValue("PATH") ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CLIError("cannot find \(name) next to meshctl (\(sibling)) or on PATH; build it with swift build")
    }
}
