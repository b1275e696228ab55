import Foundation
import Sodium
import XCTest

/// Real meshd processes sharing a temporary folder, a cluster key and an admin token. `shutdown()`
/// kills whatever still runs and removes the folder (kept when MESHGATE_KEEP_TEST_LOGS is set).
final class TestCluster {
    let directory: String
    let keyFile: String
    let tokenFile: String
    let token: String
    private(set) var nodes: [MeshdNode] = []

    init(_ label: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshgate-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        token = TestKeys.randomBytes(32).map { String(format: "%02x", $0) }.joined()
        tokenFile = "\(directory)/admin.token"
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        chmod(tokenFile, 0o600)
        keyFile = try TestKeys.writeClusterKey(to: "\(directory)/cluster.key")
    }

    /// A node of this cluster (or, with another key file, an outsider) seeded at `seeds`.
    @discardableResult
    func node(_ name: String, seeds: [String], keyFile: String? = nil, start: Bool = true) throws -> MeshdNode {
        let node = try MeshdNode(name: name, directory: directory, keyFile: keyFile ?? self.keyFile,
                                 tokenFile: tokenFile, token: token, seeds: seeds)
        nodes.append(node)
        if start { try node.start() }
        return node
    }

    /// Starts `count` nodes named PREFIX-1…; the first two are the seeds of all (and of each other).
    func startMesh(_ prefix: String, count: Int) throws -> [MeshdNode] {
        let first = try node("\(prefix)-1", seeds: [], start: false)
        let second = try node("\(prefix)-2", seeds: [first.gossipAddress], start: false)
        first.seeds = [second.gossipAddress]
        var mesh = [first, second]
        for index in stride(from: 3, through: count, by: 1) {
            mesh.append(try node("\(prefix)-\(index)", seeds: [first.gossipAddress, second.gossipAddress], start: false))
        }
        for node in mesh { try node.start() }
        return mesh
    }

    /// A manager (`--role manager`) seeded at `seeds`, signing with a new key written to
    /// `NAME.key`, once its admin API answers.
    func startManager(_ name: String, seeds: [String] = []) throws -> MeshdNode {
        let signingKey = "\(directory)/\(name).key"
        try Data((Data(Ed25519.keyPair().secretKey).base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: signingKey))
        let manager = try node(name, seeds: seeds, start: false)
        manager.extraArguments = ["--role", "manager", "--signing-key", signingKey]
        try manager.start()
        try eventually("\(name) answers", within: 15) { (try? manager.admin.object("/v1/status")) != nil }
        return manager
    }

    func newKeyFile(_ name: String) throws -> String {
        try TestKeys.writeClusterKey(to: "\(directory)/\(name).key")
    }

    /// Polls each node's member list until `condition` holds on all of them.
    func waitUntil(_ what: String, on watched: [MeshdNode], within seconds: Double,
                   _ condition: ([AdminMember]) -> Bool) throws {
        var lastSeen: [String: String] = [:]
        var pending = watched
        let deadline = Date().addingTimeInterval(seconds)
        while !pending.isEmpty {
            pending = pending.filter { node in
                do {
                    let members = try node.admin.members()
                    if condition(members) { return false }
                    lastSeen[node.name] = MembersSummary(members).text
                } catch {
                    lastSeen[node.name] = "\(error)"
                }
                return true
            }
            if pending.isEmpty { return }
            if Date() >= deadline {
                let seen = pending.prefix(4).map { "  \($0.name) (running: \($0.isRunning)) sees \(lastSeen[$0.name] ?? "?")\n\($0.logTail())" }
                throw IntegrationError("timed out after \(seconds)s waiting for \(what); \(pending.count) nodes not there:\n" + seen.joined(separator: "\n"))
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Every node in `watched` sees exactly the `expected` names alive.
    func waitUntilAlive(_ expected: [MeshdNode], on watched: [MeshdNode], within seconds: Double) throws {
        let names = Set(expected.map(\.name))
        try waitUntil("\(names.count) alive", on: watched, within: seconds) { members in
            Set(members.filter { $0.state == "alive" }.map(\.name)) == names
        }
    }

    func shutdown() {
        for node in nodes { node.killNow() }
        if ProcessInfo.processInfo.environment["MESHGATE_KEEP_TEST_LOGS"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        } else {
            print("test logs kept in \(directory)")
        }
    }
}

/// A short description of a member list for failure messages.
struct MembersSummary {
    let text: String

    init(_ members: [AdminMember]) {
        text = members.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.state)" }.joined(separator: " ")
    }
}

enum TestKeys {
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func writeClusterKey(to path: String) throws -> String {
        try Data((Data(randomBytes(32)).base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        return path
    }
}
