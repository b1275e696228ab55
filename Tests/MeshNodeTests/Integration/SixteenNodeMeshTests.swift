import Foundation
import XCTest

/// One 16-node mesh, brought up once, taken through a crash, a graceful leave and a restart.
final class SixteenNodeMeshTests: XCTestCase {
    func testSixteenNodesJoinFromTwoSeedsThenSeeCrashLeaveAndRestart() throws {
        let cluster = try TestCluster("sixteen")
        defer { cluster.shutdown() }
        let mesh = try cluster.startMesh("node", count: 16)

        try cluster.waitUntilAlive(mesh, on: mesh, within: 30)

        let crashed = mesh[15]
        crashed.send(SIGKILL)
        XCTAssertTrue(crashed.waitForExit(seconds: 5))
        var survivors = Array(mesh.prefix(15))
        try cluster.waitUntil("\(crashed.name) dead everywhere", on: survivors, within: 20) { members in
            Self.state(of: crashed.name, in: members).map { $0 == "dead" } ?? true
        }

        let leaver = mesh[14]
        leaver.send(SIGTERM)
        XCTAssertTrue(leaver.waitForExit(seconds: 15), "meshd did not exit after SIGTERM")
        survivors = Array(mesh.prefix(14))
        try cluster.waitUntil("\(leaver.name) left everywhere", on: survivors, within: 20) { members in
            Self.state(of: leaver.name, in: members) == "left"
        }

        try leaver.start()
        try cluster.waitUntilAlive(survivors + [leaver], on: survivors + [leaver], within: 20)
    }

    /// The member's state, or nil when the node no longer lists it.
    static func state(of name: String, in members: [AdminMember]) -> String? {
        members.first { $0.name == name }?.state
    }
}
