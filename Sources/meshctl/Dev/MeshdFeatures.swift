import Foundation

/// The flags this meshd build understands, read from its --help, so that `dev up` passes only those.
struct MeshdFeatures {
    let help: String

    init(executable: String) {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--help"]
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        var output = Data()
        if (try? process.run()) != nil {
            output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
        }
        help = String(decoding: output, as: UTF8.self)
    }

    func supports(_ flag: String) -> Bool {
        help.contains(flag + " ") || help.contains(flag + "\n") || help.contains(flag + "=") || help.contains(flag + ",")
    }
}
