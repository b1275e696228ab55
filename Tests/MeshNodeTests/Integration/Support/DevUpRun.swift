import Foundation

/// `meshctl dev up` running in the background on a free block of ports, in its own folder.
final class DevUpRun {
    let directory: String
    let basePort: Int
    let process = Process()
    let output: OutputCollector
    let errors: OutputCollector

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("devup-\(UUID().uuidString.prefix(8))").path
        let offsets: [Int] = (0..<4).flatMap { (node: Int) -> [Int] in [10 * node, 10 * node + 1, 10 * node + 2] } + [40]
        basePort = try FreePorts.block(offsets: offsets)
        process.executableURL = URL(fileURLWithPath: try BuildProducts.path("meshctl"))
        process.arguments = ["dev", "up", "--dir", directory, "--base-port", String(basePort)]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MESHGATE_") }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        output = OutputCollector(out.fileHandleForReading)
        errors = OutputCollector(err.fileHandleForReading)
        try process.run()
    }

    var adminPorts: [Int] { (0..<4).map { basePort + 10 * $0 + 1 } }

    /// Waits until dev up reports the mesh formed, and returns the `status` command it printed.
    func waitUntilUp(within seconds: Double) throws -> [String] {
        var line: Substring?
        try eventually("dev up to print the status command", within: seconds) {
            if !process.isRunning {
                throw IntegrationError("dev up exited \(process.terminationStatus): \(errors.snapshot) \(output.snapshot)")
            }
            line = output.snapshot.split(separator: "\n").first { $0.hasSuffix(" status") && $0.contains("--token-file") }
            return line != nil
        }
        return Array((line ?? "").split(separator: " ").map(String.init).dropFirst())
    }

    /// True once no admin port of the dev mesh accepts connections any more.
    func nodesAreGone() -> Bool {
        adminPorts.allSatisfy { port in
            guard let socket = try? LoopbackSocket.connect(port: port, timeoutSeconds: 0.5) else { return true }
            socket.close()
            return false
        }
    }

    func cleanUp() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
