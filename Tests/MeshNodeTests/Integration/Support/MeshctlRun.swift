import Foundation

/// One run of the real meshctl binary, with its exit status and both output streams.
struct MeshctlRun {
    let status: Int32
    let stdout: String
    let stderr: String

    static func run(_ arguments: [String], environment: [String: String] = [:], within seconds: Double = 20) throws -> MeshctlRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuildProducts.path("meshctl"))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MESHGATE_") }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = OutputCollector(out.fileHandleForReading)
        let errData = OutputCollector(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw IntegrationError("meshctl \(arguments.joined(separator: " ")) did not finish within \(seconds)s")
        }
        process.waitUntilExit()
        return MeshctlRun(status: process.terminationStatus, stdout: outData.text(), stderr: errData.text())
    }
}

/// Drains a pipe on a background thread so a chatty child never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }
    }

    /// Everything read so far.
    var snapshot: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Everything, once the writer closed the pipe.
    func text() -> String {
        done.wait()
        return snapshot
    }
}
