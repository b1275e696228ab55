import Foundation
import XCTest

/// Three real meshd processes on loopback, encrypted with one cluster key.
final class MeshSmokeTests: XCTestCase {
    func testThreeNodesSeeEachOtherRotateTheKeyAndLeaveCleanly() async throws {
        let dir = try TemporaryDirectory()
        let keyFile = try dir.write(ClusterKeyText.fresh(), to: "cluster.key")
        let a = try NodeProcess(name: "a", in: dir, keyFile: keyFile)
        let b = try NodeProcess(name: "b", in: dir, seeds: [a.gossipAddress], keyFile: keyFile)
        let c = try NodeProcess(name: "c", in: dir, seeds: [a.gossipAddress], keyFile: keyFile)
        let all = [a, b, c]

        for node in all {
            let converged = await node.waitFor(timeout: .seconds(10)) { states in
                states.count == 3 && states.values.allSatisfy { $0 == "alive" }
            }
            XCTAssertTrue(converged, "\(node.name) never saw 3 alive: \(node.log.suffix(2000))")
        }

        let unauthorized = try await b.request("/v1/members", authorized: false)
        XCTAssertEqual(unauthorized.status, 401)
        let health = try await b.request("/healthz", authorized: false)
        XCTAssertEqual(health.status, 200)
        let ready = try await b.request("/readyz", authorized: false)
        XCTAssertEqual(ready.status, 200)
        let status = try await b.request("/v1/status")
        XCTAssertEqual(status.status, 200)
        XCTAssertTrue(status.body.contains("\"name\":\"b\""))
        let metrics = try await b.request("/metrics", authorized: false)
        XCTAssertTrue(metrics.body.contains("meshgate_swim_members{state=\"alive\"} 3"))

        // A stream that announces a frame over the size limit is cut off and counted.
        try b.sendStream(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        let afterGarbage = try await b.request("/v1/status").body
        XCTAssertTrue(afterGarbage.contains("\"streams_refused\":1"), afterGarbage)

        // Rotate the cluster key through one node; every node follows and the mesh stays whole.
        let newKey = ClusterKeyText.fresh().trimmingCharacters(in: .whitespacesAndNewlines)
        for step in ["install", "use"] {
            let answer = try await b.request("/v1/keys/\(step)", method: "POST", body: "{\"key\": \"\(newKey)\"}")
            XCTAssertTrue(answer.status == 200 && answer.body.contains("\"nodes_acked\":3"), "\(step): \(answer.body)")
        }
        let keys = try JSONSerialization.jsonObject(with: Data(try await a.request("/v1/keys").body.utf8)) as! [String: Any]
        let old = (keys["keys"] as! [[String: Any]]).first { $0["primary"] as? Bool == false }!["fingerprint"] as! String
        let removePrimary = try await a.request("/v1/keys/remove", method: "POST", body: "{\"key\": \"\(keys["primary"]!)\"}")
        XCTAssertEqual(removePrimary.status, 400)
        let removed = try await a.request("/v1/keys/remove", method: "POST", body: "{\"key\": \"\(old)\"}")
        XCTAssertTrue(removed.body.contains("\"nodes_acked\":3"), "\(removed.body)")
        for node in all {
            let list = try await node.request("/v1/keys").body
            XCTAssertTrue(list.contains(keys["primary"] as! String) && !list.contains(old), "\(node.name): \(list)")
        }
        let stillWhole = await c.waitFor(timeout: .seconds(3)) { $0.count == 3 && $0.values.allSatisfy { $0 == "alive" } }
        XCTAssertTrue(stillWhole)

        c.signal(SIGTERM)
        let exitStatus = await c.waitForExit(timeout: .seconds(5))
        XCTAssertEqual(exitStatus, 0)
        let sawLeave = await a.waitFor(timeout: .seconds(5)) { $0["c"] == "left" }
        XCTAssertTrue(sawLeave, "a did not see c leave: \(a.log.suffix(2000))")

        for node in [a, b] { node.signal(SIGTERM) }
        for node in [a, b] {
            let status = await node.waitForExit(timeout: .seconds(5))
            XCTAssertEqual(status, 0, "\(node.name) did not exit 0 after SIGTERM")
        }
    }
}

enum ClusterKeyText {
    /// 32 random bytes, base64: what `meshctl keygen` writes.
    static func fresh() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return Data(bytes).base64EncodedString() + "\n"
    }
}
