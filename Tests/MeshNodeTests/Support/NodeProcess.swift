import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A real `meshd` process on loopback, with its own data dir, and a client for its admin API.
final class NodeProcess {
    let name: String
    let gossipPort: Int
    let adminPort: Int
    let dataDir: String
    let process = Process()
    let logPath: String

    var gossipAddress: String { "127.0.0.1:\(gossipPort)" }

    init(name: String, in directory: TemporaryDirectory, seeds: [String] = [], keyFile: String?,
         extraArguments: [String] = []) throws {
        self.name = name
        gossipPort = try LoopbackPorts.free()
        adminPort = try LoopbackPorts.free()
        dataDir = directory.path + "/" + name
        logPath = directory.path + "/" + name + ".log"
        var arguments = [
            "--name", name, "--bind", "127.0.0.1:\(gossipPort)", "--admin", "127.0.0.1:\(adminPort)",
            "--data-dir", dataDir, "--profile", "local",
        ]
        if !seeds.isEmpty { arguments += ["--seeds", seeds.joined(separator: ",")] }
        if let keyFile { arguments += ["--cluster-key-file", keyFile] } else { arguments += ["--insecure"] }
        process.executableURL = URL(fileURLWithPath: try MeshdBinary.path())
        process.arguments = arguments + extraArguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func token() throws -> String {
        try String(contentsOfFile: dataDir + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// GET or POST on the admin API; the token is sent unless `authorized` is false.
    func request(_ path: String, method: String = "GET", body: String? = nil, authorized: Bool = true) async throws
        -> (status: Int, body: String)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(adminPort)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 5
        if authorized { request.setValue("Bearer \(try token())", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// The members this node sees, as name → state.
    func memberStates() async throws -> [String: String] {
        let (status, body) = try await request("/v1/members")
        guard status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let members = object["members"] as? [[String: Any]]
        else { return [:] }
        var states: [String: String] = [:]
        for m in members { states[m["name"] as! String] = m["state"] as? String }
        return states
    }

    /// Polls until `condition` holds or `timeout` passes; returns whether it held.
    func waitFor(timeout: Duration, _ condition: ([String: String]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let states = try? await memberStates(), condition(states) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits (bounded) for the process to exit; returns its status, or nil if it is still running.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

extension NodeProcess {
    /// Connects to the gossip port over TCP, writes `bytes`, and waits (bounded) for the node to close.
    func sendStream(_ bytes: [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(gossipPort).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        _ = recv(fd, &buffer, buffer.count, 0)
    }
}

enum MeshdBinary {
    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "meshd binary not found (build it with `swift build`); looked in \(searched)" }
    }

    /// The `meshd` built next to this test bundle, or in the package's .build/debug.
    static func path() throws -> String {
        var dirs: [String] = []
        if let exe = Bundle.main.executablePath { dirs.append((exe as NSString).deletingLastPathComponent) }
        dirs.append(Bundle.main.bundlePath)
        dirs.append((Bundle.main.bundlePath as NSString).deletingLastPathComponent)
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        dirs.append(packageRoot + "/.build/debug")
        let candidates = dirs.map { $0 + "/meshd" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(searched: candidates)
        }
        return found
    }
}

enum LoopbackPorts {
    struct Exhausted: Error {}

    private static let handedOut = Mutex<Set<Int>>([])

    /// A port free for both UDP and TCP on 127.0.0.1 right now, below Linux's ephemeral
    /// range (so no outgoing connection takes it meanwhile), never handed out twice.
    static func free() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20000...32000)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(tcp) }
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(udp) }
            if bind(tcp, port: port) != nil, bind(udp, port: port) != nil { return port }
        }
        throw Exhausted()
    }

    private static func bind(_ fd: Int32, port: Int) -> Int? {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
