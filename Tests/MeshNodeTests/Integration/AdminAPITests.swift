import Foundation
import XCTest

/// The admin API of a real three-node mesh: the token, health and readiness, status,
/// metrics, an oversized stream counted, and a clean leave on SIGTERM.
final class AdminAPITests: XCTestCase {
    func testAdminAPIOfAThreeNodeMeshAndACleanLeave() throws {
        let cluster = try TestCluster("admin")
        defer { cluster.shutdown() }
        let mesh = try cluster.startMesh("node", count: 3)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 20)
        let node = mesh[1]

        let anonymous = AdminHTTP(port: node.adminPort, token: nil)
        XCTAssertEqual(try anonymous.get("/v1/members").status, 401)
        XCTAssertEqual(try AdminHTTP(port: node.adminPort, token: "wrong").get("/v1/status").status, 401)
        XCTAssertEqual(try anonymous.get("/healthz").status, 200)
        XCTAssertEqual(try anonymous.get("/readyz").status, 200)
        let status = try node.admin.object("/v1/status")
        XCTAssertEqual((status["node"] as? [String: Any])?["name"] as? String, node.name)
        let metrics = try anonymous.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("meshgate_swim_members{state=\"alive\"} 3"), String(metrics.text.prefix(2000)))

        // Bytes on the gossip port's TCP side that announce a frame over the size limit are cut off and counted.
        let stream = try LoopbackSocket.connect(port: node.gossipPort, timeoutSeconds: 5)
        try stream.write(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        XCTAssertEqual(try stream.read(), [], "the node did not close the stream")
        stream.close()
        XCTAssertEqual(try GossipCounters(node)["streams_refused"], 1)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 5)

        let leaving = mesh[2]
        leaving.send(SIGTERM)
        XCTAssertTrue(leaving.waitForExit(seconds: 5), "\(leaving.name) did not exit after SIGTERM")
        XCTAssertEqual(leaving.terminationStatus, 0)
        try cluster.waitUntil("\(leaving.name) left", on: Array(mesh.prefix(2)), within: 5) { members in
            members.first { $0.name == leaving.name }?.state == "left"
        }
    }
}
