import Foundation
import XCTest

/// The cluster key is rotated with meshctl (install, use, remove) while every member stays alive.
final class KeyRotationTests: XCTestCase {
    func testRotatingTheClusterKeyLosesNoMember() throws {
        let cluster = try TestCluster("rotation")
        defer { cluster.shutdown() }
        let mesh = try cluster.startMesh("node", count: 4)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 20)
        let oldKey = cluster.keyFile
        let newKey = try cluster.newKeyFile("next")
        let node = ["--node", mesh[0].adminURL, "--token-file", cluster.tokenFile]
        let oldPrimary = try Self.keyring(mesh[0]).primary

        let monitor = MembershipMonitor(mesh)
        let install = try MeshctlRun.run(node + ["keys", "install", "--key-file", newKey])
        XCTAssertEqual(install.status, 0, install.stderr)
        XCTAssertTrue(install.stdout.contains("on 4 of 4"), install.stdout)
        try eventually("every node holds both keys", within: 5) {
            try mesh.allSatisfy { try Self.keyring($0).count == 2 }
        }

        let use = try MeshctlRun.run(node + ["keys", "use", "--key-file", newKey])
        XCTAssertEqual(use.status, 0, use.stderr)
        let newPrimary = try Self.keyring(mesh[0]).primary
        XCTAssertNotEqual(newPrimary, oldPrimary)
        try eventually("every node seals with the new key", within: 5) {
            try mesh.allSatisfy { try Self.keyring($0).primary == newPrimary }
        }

        let refused = try MeshctlRun.run(node + ["keys", "remove", "--key-file", newKey])
        XCTAssertEqual(refused.status, 1, "removing the primary key was not refused")
        XCTAssertTrue(refused.stderr.contains("400"), refused.stderr)

        let remove = try MeshctlRun.run(node + ["keys", "remove", "--key-file", oldKey])
        XCTAssertEqual(remove.status, 0, remove.stderr)
        try eventually("every node dropped the old key", within: 5) {
            try mesh.allSatisfy { try Self.keyring($0) == (newPrimary, 1) }
        }
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(monitor.stop(), [], "members were lost during the rotation")

        let withNewKey = try cluster.node("new-key", seeds: [mesh[0].gossipAddress], keyFile: newKey)
        try cluster.waitUntilAlive(mesh + [withNewKey], on: mesh + [withNewKey], within: 20)
    }

    /// The node's primary fingerprint and how many keys it holds.
    static func keyring(_ node: MeshdNode) throws -> (primary: String, count: Int) {
        let answer = try node.admin.object("/v1/keys")
        guard let primary = answer["primary"] as? String, let keys = answer["keys"] as? [[String: Any]] else {
            throw IntegrationError("bad /v1/keys answer from \(node.name): \(answer)")
        }
        return (primary, keys.count)
    }
}
