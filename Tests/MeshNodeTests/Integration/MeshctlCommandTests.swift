import Foundation
import XCTest

/// meshctl, the real binary, against real meshd nodes.
final class MeshctlCommandTests: XCTestCase {
    func testStatusMembersAndLeaveAgainstARealMesh() throws {
        let cluster = try TestCluster("meshctl")
        defer { cluster.shutdown() }
        let mesh = try cluster.startMesh("node", count: 2)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 20)
        let node = ["--node", mesh[0].adminURL, "--token-file", cluster.tokenFile]

        let status = try MeshctlRun.run(node + ["status"])
        XCTAssertEqual(status.status, 0, status.stderr)
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("NAME") }, status.stdout)
        XCTAssertEqual(header.split(separator: " ").map(String.init),
                       ["NAME", "ADDRESS", "ROLE", "REGION", "ZONE", "ENV", "STATE", "INC", "CONFIG", "LAG", "CACHE", "HIT%"])
        let rows = lines.filter { $0.hasPrefix("node-") }
        XCTAssertEqual(rows.map { String($0.split(separator: " ")[0]) }, ["node-1", "node-2"])
        XCTAssertTrue(rows.allSatisfy { $0.contains(" alive ") }, status.stdout)

        let json = try MeshctlRun.run(node + ["status", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let members = try XCTUnwrap(object["members"] as? [[String: Any]])
        XCTAssertEqual(members.compactMap { $0["name"] as? String }, ["node-1", "node-2"])
        for member in members {
            for field in ["name", "address", "role", "state", "incarnation", "tags"] {
                XCTAssertNotNil(member[field], "status --json lacks \(field): \(member)")
            }
        }

        let fromEnvironment = try MeshctlRun.run(["members"], environment: [
            "MESHGATE_NODE": mesh[1].adminURL, "MESHGATE_TOKEN_FILE": cluster.tokenFile,
        ])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertTrue(fromEnvironment.stdout.contains("2 members: 2 alive"), fromEnvironment.stdout)

        let leave = try MeshctlRun.run(["--node", mesh[1].adminURL, "--token-file", cluster.tokenFile, "leave"])
        XCTAssertEqual(leave.status, 0, leave.stderr)
        XCTAssertTrue(mesh[1].waitForExit(seconds: 15), "meshd did not exit after leaving")
        try cluster.waitUntil("node-2 left", on: [mesh[0]], within: 10) { members in
            members.first { $0.name == "node-2" }?.state == "left"
        }
    }

    func testWrongTokenFailsWithOneLineOnStderr() throws {
        let cluster = try TestCluster("token")
        defer { cluster.shutdown() }
        let node = try cluster.node("lonely", seeds: [])
        try eventually("lonely answers", within: 20) { try node.admin.get("/healthz").status == 200 }

        let run = try MeshctlRun.run(["--node", node.adminURL, "--token", "not-the-token", "status"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("401"), run.stderr)
        XCTAssertEqual(run.stdout, "")
    }

    func testUnreachableNodeFailsWithOneLineOnStderr() throws {
        let port = try FreePorts.next()
        let run = try MeshctlRun.run(["--node", "http://127.0.0.1:\(port)", "--token", "x", "members"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "meshctl: cannot reach meshd at http://127.0.0.1:\(port): connection refused\n")
    }

    func testUsageErrorExitsWithTwo() throws {
        let run = try MeshctlRun.run(["status", "--no-such-flag"])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
    }

    func testKeygenWritesAThirtyTwoByteClusterKeyReadableOnlyByItsOwner() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keygen-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let printed = try MeshctlRun.run(["keygen"])
        XCTAssertEqual(printed.status, 0, printed.stderr)
        XCTAssertEqual(Data(base64Encoded: printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?.count, 32)
        let again = try MeshctlRun.run(["keygen"])
        XCTAssertNotEqual(printed.stdout, again.stdout, "two cluster keys are equal")

        let written = try MeshctlRun.run(["keygen", "--out", "\(directory)/cluster"])
        XCTAssertEqual(written.status, 0, written.stderr)
        let path = "\(directory)/cluster.key"
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(Data(base64Encoded: text)?.count, 32)
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)

        let overwrite = try MeshctlRun.run(["keygen", "--out", "\(directory)/cluster"])
        XCTAssertEqual(overwrite.status, 1, "an existing key was overwritten")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), text)
    }

    func testKeygenSigningWritesAnEd25519KeyPair() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keygen-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let run = try MeshctlRun.run(["keygen", "--signing", "--out", "\(directory)/manager"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let secret = try Data(base64Encoded: String(contentsOfFile: "\(directory)/manager.key", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let publicKey = try Data(base64Encoded: String(contentsOfFile: "\(directory)/manager.pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(secret?.count, 64)
        XCTAssertEqual(publicKey?.count, 32)
        XCTAssertEqual(secret?.suffix(32), publicKey, "the secret key does not end with its public key")
    }
}
