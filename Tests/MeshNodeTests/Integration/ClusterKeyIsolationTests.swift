import Foundation
import XCTest

/// Each mesh has its own cluster key: a node holding another key never gets in.
final class ClusterKeyIsolationTests: XCTestCase {
    func testNodeWithAnotherClusterKeyNeverAppearsAndItsPacketsAreCounted() throws {
        let cluster = try TestCluster("isolation")
        defer { cluster.shutdown() }
        let mesh = try cluster.startMesh("node", count: 3)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 20)
        let before = try mesh.map { try GossipCounters($0)["bad_key_packets"] }

        let outsider = try cluster.node("outsider", seeds: [mesh[0].gossipAddress, mesh[1].gossipAddress],
                                        keyFile: try cluster.newKeyFile("other"))

        try cluster.waitUntil("the outsider's packets counted as bad key", on: [mesh[0]], within: 15) { _ in
            ((try? GossipCounters(mesh[0])["bad_key_packets"]) ?? 0) > before[0]
        }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            for node in mesh {
                let names = try node.admin.members().map(\.name)
                XCTAssertFalse(names.contains(outsider.name), "\(node.name) lists the outsider")
            }
            let outsiderView = try outsider.admin.members().filter { $0.state == "alive" }.map(\.name)
            XCTAssertEqual(outsiderView, [outsider.name], "the outsider sees members of a mesh it holds no key for")
            Thread.sleep(forTimeInterval: 0.2)
        }
        try cluster.waitUntilAlive(mesh, on: mesh, within: 5)
    }
}
