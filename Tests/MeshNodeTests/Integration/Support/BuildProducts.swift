import Foundation

/// The executables `swift build` put beside this test bundle.
enum BuildProducts {
    static var directory: URL {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: own).deletingLastPathComponent()
    }

    static func path(_ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw IntegrationError("\(path) is missing; run swift build --build-tests first")
        }
        return path
    }
}
