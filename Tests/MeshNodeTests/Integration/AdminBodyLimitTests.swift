import Foundation
import XCTest

/// The admin API reads a request's body only for a caller whose token is valid: a request
/// without one is answered 401 on its head, and a body it announced is never waited for.
final class AdminBodyLimitTests: XCTestCase {
    func testOnlyAValidTokenGetsItsBodyRead() throws {
        let cluster = try TestCluster("body-limit")
        defer { cluster.shutdown() }
        let manager = try cluster.startManager("manager")

        // The head announces 32 MiB and no byte of it is sent: the answer cannot wait for the body.
        for authorization in ["Authorization: Bearer wrong\r\n", ""] {
            let socket = try LoopbackSocket.connect(port: manager.adminPort, timeoutSeconds: 5)
            defer { socket.close() }
            try socket.write(Array(("POST /v1/config/apply HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)"
                + "Content-Type: application/json\r\nContent-Length: 33554432\r\n\r\n").utf8))
            var answer: [UInt8] = []
            while true {
                let bytes = try socket.read()
                if bytes.isEmpty { break }
                answer += bytes
            }
            let text = String(decoding: answer, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 401 "), text)
            XCTAssertTrue(text.lowercased().contains("connection: close"), text)
            XCTAssertTrue(text.contains("missing or wrong bearer token"), text)
        }
        // No body announced: 401, and the connection stays open for the next request.
        XCTAssertEqual(try AdminHTTP(port: manager.adminPort, token: "wrong").get("/v1/status").status, 401)
        XCTAssertEqual(try AdminHTTP(port: manager.adminPort, token: nil).get("/healthz").status, 200)

        // A manifest of 20,000 routes (a body of several MiB) from the valid token is read and applied.
        let manifest = "\(cluster.directory)/large.yaml"
        var lines = ["environment: prod", "upstreams:", "  - { id: u, targets: [ { url: \"http://127.0.0.1:\(manager.adminPort)\" } ] }", "routes:"]
        for r in 0..<20_000 { lines.append("  - { id: route-\(r), match: { path_prefix: /large/manifest/route-\(r) }, upstream: u }") }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: manifest))
        let applied = try MeshctlRun.run(["--node", manager.adminURL, "--token-file", cluster.tokenFile,
                                          "apply", "--no-wait", "-f", manifest], within: 60)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let history = try manager.admin.object("/v1/config/history/prod")
        XCTAssertEqual((history["versions"] as? [[String: Any]])?.count, 1, "\(history)")
    }
}
