import Foundation

/// One real meshd process on loopback with the `local` profile; it can be killed and started again
/// with the same name, ports and data folder.
final class MeshdNode {
    let name: String
    let gossipPort: Int
    let adminPort: Int
    let httpPort: Int
    let dataDirectory: String
    let logPath: String
    var keyFile: String
    var seeds: [String]
    /// More meshd options, after the ones every test node has.
    var extraArguments: [String] = []
    let tokenFile: String
    let admin: AdminHTTP
    private var process: Process?
    private var starts = 0

    init(name: String, directory: String, keyFile: String, tokenFile: String, token: String, seeds: [String]) throws {
        self.name = name
        self.gossipPort = try FreePorts.next()
        self.adminPort = try FreePorts.next()
        self.httpPort = try FreePorts.next()
        self.dataDirectory = "\(directory)/\(name)"
        self.logPath = "\(directory)/\(name).log"
        self.keyFile = keyFile
        self.tokenFile = tokenFile
        self.seeds = seeds
        self.admin = AdminHTTP(port: adminPort, token: token)
    }

    var gossipAddress: String { "127.0.0.1:\(gossipPort)" }
    var adminURL: String { "http://127.0.0.1:\(adminPort)" }
    var isRunning: Bool { process?.isRunning ?? false }
    /// The exit status of the last run, once it has ended.
    var terminationStatus: Int32? { process.flatMap { $0.isRunning ? nil : $0.terminationStatus } }

    var arguments: [String] {
        var arguments = [
            "--name", name,
            "--bind", gossipAddress,
            "--cluster-key-file", keyFile,
            "--admin", "127.0.0.1:\(adminPort)",
            "--http", "127.0.0.1:\(httpPort)",
            "--admin-token-file", tokenFile,
            "--data-dir", dataDirectory,
            "--profile", "local",
        ]
        if !seeds.isEmpty { arguments += ["--seeds", seeds.joined(separator: ",")] }
        return arguments + extraArguments
    }

    /// Starts meshd, through util-linux's setpriv with a parent-death signal where it exists, so it
    /// does not outlive a test run that crashes.
    func start() throws {
        precondition(!isRunning, "\(name) is already running")
        starts += 1
        let log = try LogFile.open(logPath, header: "--- start \(starts): meshd \(arguments.joined(separator: " "))")
        let process = Process()
        let meshd = try BuildProducts.path("meshd")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--pdeathsig", "KILL", "--", meshd] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: meshd)
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    func send(_ signalNumber: Int32) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signalNumber)
    }

    /// Waits, bounded, for the process to end; true when it did.
    @discardableResult
    func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return !isRunning
    }

    func killNow() {
        send(SIGKILL)
        waitForExit(seconds: 5)
    }

    func logTail(lines: Int = 8) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).map { "    \(name)| \($0)" }.joined(separator: "\n")
    }
}

enum LogFile {
    static func open(_ path: String, header: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw IntegrationError("cannot write \(path)") }
        handle.seekToEndOfFile()
        handle.write(Data((header + "\n").utf8))
        return handle
    }
}
