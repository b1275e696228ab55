import Foundation
import XCTest

/// Named admin tokens with roles, through real processes: each role is refused what it may
/// not do with 403 and one clear line from meshctl, and the audit log names the token.
final class AdminRolesTests: XCTestCase {
    func testEachRoleIsRefusedWhatItMayNotDo() throws {
        let cluster = try TestCluster("roles")
        defer { cluster.shutdown() }
        let boss = try cluster.startManager("manager")

        func meshctl(_ arguments: [String], token: String? = nil) throws -> MeshctlRun {
            let auth = token.map { ["--token", $0] } ?? ["--token-file", cluster.tokenFile]
            return try MeshctlRun.run(["--node", boss.adminURL] + auth + arguments, within: 30)
        }
        func create(_ name: String, _ role: String) throws -> String {
            let run = try meshctl(["tokens", "create", name, "--role", role])
            XCTAssertEqual(run.status, 0, run.stderr)
            return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let viewer = try create("viewer", "read")
        let oncall = try create("oncall", "operate")
        let ci = try create("ci", "admin")
        XCTAssertEqual(try meshctl(["tokens", "create", "viewer", "--role", "read"]).status, 1, "a name was taken twice")

        let manifest = "\(cluster.directory)/m.yaml"
        try Data("""
            environment: prod
            upstreams: [ { id: u, targets: [ { url: "http://127.0.0.1:\(boss.adminPort)" } ] } ]
            routes: [ { id: r, upstream: u } ]
            """.utf8).write(to: URL(fileURLWithPath: manifest))

        XCTAssertEqual(try meshctl(["status"], token: viewer).status, 0)
        XCTAssertEqual(try meshctl(["diff", "-f", manifest], token: viewer).status, 0)
        for (token, name) in [(viewer, "viewer"), (oncall, "oncall")] {
            let refused = try meshctl(["apply", "-f", manifest], token: token)
            XCTAssertEqual(refused.status, 1)
            let role = name == "viewer" ? "read" : "operate"
            XCTAssertEqual(refused.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
                           "meshctl: \(boss.adminURL) refused: token '\(name)' has the \(role) role; POST /v1/config/apply needs admin")
            XCTAssertEqual(try meshctl(["keys", "install", Data(TestKeys.randomBytes(32)).base64EncodedString()], token: token).status, 1)
            XCTAssertEqual(try meshctl(["tokens", "create", "x", "--role", "admin"], token: token).status, 1,
                           "\(name) made itself a token")
        }
        XCTAssertEqual(try AdminHTTP(port: boss.adminPort, token: viewer).post("/v1/leave").status, 403)
        XCTAssertEqual(try AdminHTTP(port: boss.adminPort, token: "not-a-token").get("/v1/status").status, 401)

        let applied = try meshctl(["apply", "--no-wait", "-f", manifest], token: ci)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let audit = try meshctl(["history", "--audit", "--json"], token: viewer)
        XCTAssertEqual(audit.status, 0, audit.stderr)
        let entries = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])?["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.map { "\($0["action"] ?? "") by \($0["token"] ?? "")" },
                       ["token-create by admin", "token-create by admin", "token-create by admin", "apply by ci"])

        XCTAssertEqual(try meshctl(["tokens", "remove", "ci"]).status, 0)
        XCTAssertEqual(try meshctl(["status"], token: ci).status, 1, "a removed token still works")

        let leave = try meshctl(["leave"], token: oncall)
        XCTAssertEqual(leave.status, 0, leave.stderr)
        XCTAssertTrue(boss.waitForExit(seconds: 10))
    }
}
