import Foundation
import XCTest

/// `meshctl bust` through real meshd processes: a bust of each kind reaches every worker of the
/// environment and is acknowledged; the role it needs and the audit log; `--no-wait`; a node
/// that was away (stopped until the others declared it dead, or restarted) applies what it
/// missed when it comes back; a SIGHUP config that changes a route busts that route. What each
/// node applied is read from its cache figures (`/v1/cache/stats`) and metrics.
final class CacheBustTests: XCTestCase {
    var cluster: TestCluster!

    override func setUpWithError() throws {
        cluster = try TestCluster("bust")
    }

    override func tearDown() {
        cluster.shutdown()
    }

    func meshctl(_ node: MeshdNode, _ arguments: [String], token: String? = nil) throws -> MeshctlRun {
        let auth = token.map { ["--token", $0] } ?? ["--token-file", cluster.tokenFile]
        return try MeshctlRun.run(["--node", node.adminURL] + auth + arguments, within: 60)
    }

    func figures(_ node: MeshdNode) throws -> [String: Any] {
        guard let figures = try node.admin.object("/v1/cache/stats")["node"] as? [String: Any] else {
            throw IntegrationError("\(node.name): /v1/cache/stats has no \"node\" object")
        }
        return figures
    }

    func busts(_ node: MeshdNode) throws -> Int { try figures(node)["busts_applied"] as? Int ?? -1 }

    func vector(_ node: MeshdNode) throws -> [String: Int] { try figures(node)["bust_vector"] as? [String: Int] ?? [:] }

    func metric(_ node: MeshdNode, _ line: String) throws -> Double? {
        let text = try AdminHTTP(port: node.adminPort, token: nil).get("/metrics").text
        return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    func testABustOfEachKindReachesEveryWorkerAndIsAcknowledged() throws {
        let mesh = try cluster.startMesh("b", count: 4)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 30)

        let kinds: [[String]] = [
            ["https://shop.example/cart?b=2&a=1"], ["/cart"], ["GET shop.example/cart"], ["--prefix", "/news/"],
            ["--tag", "section-3"], ["--route", "orders"], ["--all"],
        ]
        for (index, kind) in kinds.enumerated() {
            let run = try meshctl(mesh[index % mesh.count], ["bust"] + kind)
            XCTAssertEqual(run.status, 0, "bust \(kind): \(run.stderr)")
            XCTAssertTrue(run.stdout.contains("acknowledged by 3 of 3 alive workers"), run.stdout)
        }
        let json = try meshctl(mesh[0], ["bust", "--json", "https://shop.example/cart?b=2&a=1"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(answer["kind"] as? String, "resource")
        XCTAssertEqual(answer["value"] as? String, "GET shop.example/cart?a=1&b=2")
        XCTAssertEqual((answer["acknowledged"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["b-2", "b-3", "b-4"])
        XCTAssertEqual(answer["missing"] as? [String], [])

        let made = kinds.count + 1
        for node in mesh {
            XCTAssertEqual(try busts(node), made, "\(node.name) applied another number of busts")
            XCTAssertEqual(try figures(node)["bust_epoch"] as? Int, made, "\(node.name)'s store saw another number of busts")
            XCTAssertEqual(try metric(node, "meshgate_cache_busts_total{kind=\"applied\"}"), Double(made))
            XCTAssertEqual(try vector(node), try vector(mesh[0]))
        }
        XCTAssertEqual(try vector(mesh[0]).values.reduce(0, +), made, "one origin per node that made busts, numbered without gaps")

        let stats = try meshctl(mesh[1], ["cache", "stats", "--json"])
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let table = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(table["nodes"] as? [[String: Any]])
        XCTAssertEqual(Set(rows.compactMap { $0["name"] as? String }), Set(mesh.map(\.name)))
        XCTAssertTrue(rows.allSatisfy { $0["busts_applied"] as? Int == made && $0["capacity"] as? Int == 256 << 20 }, "\(rows)")
        let text = try meshctl(mesh[1], ["cache", "stats"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("NAME"), text.stdout)
        XCTAssertEqual(text.stdout.split(separator: "\n").count, 5, text.stdout)
    }

    func testBustingNeedsTheOperateRoleIsAuditedAndMayNotWait() throws {
        let mesh = try cluster.startMesh("r", count: 3)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 30)
        func create(_ name: String, _ role: String) throws -> String {
            let run = try meshctl(mesh[0], ["tokens", "create", name, "--role", role])
            XCTAssertEqual(run.status, 0, run.stderr)
            return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let viewer = try create("viewer", "read")
        let oncall = try create("oncall", "operate")

        let refused = try meshctl(mesh[0], ["bust", "--all"], token: viewer)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
                       "meshctl: \(mesh[0].adminURL) refused: token 'viewer' has the read role; POST /v1/cache/bust needs operate")
        XCTAssertEqual(try AdminHTTP(port: mesh[0].adminPort, token: viewer).post("/v1/cache/bust", json: ["all": true]).status, 403)
        XCTAssertEqual(try AdminHTTP(port: mesh[0].adminPort, token: viewer).get("/v1/cache/stats").status, 200)
        XCTAssertEqual(try AdminHTTP(port: mesh[0].adminPort, token: oncall).post("/v1/cache/bust", json: ["tag": "a", "route": "b"]).status, 400)
        XCTAssertEqual(try busts(mesh[0]), 0, "a refused bust was applied")

        let quick = try meshctl(mesh[0], ["bust", "--no-wait", "--tag", "t"], token: oncall)
        XCTAssertEqual(quick.status, 0, quick.stderr)
        XCTAssertTrue(quick.stdout.contains("not waiting for acknowledgements"), quick.stdout)
        try eventually("every node applied the bust that did not wait", within: 10) {
            try mesh.allSatisfy { try busts($0) == 1 }
        }

        let audit = try XCTUnwrap(try mesh[0].admin.object("/v1/audit")["entries"] as? [[String: Any]])
        let bust = try XCTUnwrap(audit.first { $0["action"] as? String == "cache-bust" })
        XCTAssertEqual(bust["token"] as? String, "oncall")
        XCTAssertTrue((bust["detail"] as? String)?.hasPrefix("tag t as r-1#") == true, "\(bust)")
        XCTAssertEqual(audit.filter { $0["action"] as? String == "cache-bust" }.count, 1)
    }

    func testANodeThatWasAwayAppliesTheBustsItMissedWhenItComesBack() throws {
        let mesh = try cluster.startMesh("p", count: 3)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 30)
        let (a, b, away) = (mesh[0], mesh[1], mesh[2])
        XCTAssertEqual(try meshctl(a, ["bust", "--tag", "before"]).status, 0)

        // Stopped until the others count it dead: no rumor, no direct send reaches it.
        away.send(SIGSTOP)
        try cluster.waitUntil("p-3 dead", on: [a, b], within: 30) { members in
            members.contains { $0.name == away.name && ($0.state == "dead" || $0.state == "left") }
        }
        for tag in ["during-1", "during-2"] {
            let run = try meshctl(b, ["bust", "--tag", tag])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("acknowledged by 1 of 1 alive workers"), run.stdout)
        }
        away.send(SIGCONT)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 30)
        try eventually("the node that was away applied what it missed", within: 20) {
            try busts(away) == 3 && vector(away) == vector(a)
        }

        // Restarted: a new process with nothing stored takes the busts still logged by its peers.
        away.killNow()
        try cluster.waitUntil("p-3 dead", on: [a, b], within: 30) { members in
            members.contains { $0.name == away.name && $0.state == "dead" }
        }
        XCTAssertEqual(try meshctl(a, ["bust", "--prefix", "/while-down"]).status, 0)
        try away.start()
        try cluster.waitUntilAlive(mesh, on: mesh, within: 30)
        try eventually("the restarted node holds the mesh's bust vector", within: 20) {
            try vector(away) == vector(a) && busts(away) == 4
        }
        XCTAssertEqual(try metric(away, "meshgate_cache_bust_catchups_total{outcome=\"all\"}"), 0,
                       "the peers' logs held every bust: nothing needed busting whole")

        // An unacknowledged bust: a stopped node still counted alive does not answer in time.
        away.send(SIGSTOP)
        let late = try meshctl(a, ["bust", "--wait-timeout", "1", "--tag", "stopped"])
        away.send(SIGCONT)
        XCTAssertEqual(late.status, 1, late.stdout)
        XCTAssertTrue(late.stderr.contains("not acknowledged by p-3"), late.stderr)
        try eventually("the stopped node applies it once it runs again", within: 20) { try busts(away) == 5 }
    }

    func testAConfigThatChangesARouteBustsItsEntries() throws {
        let node = try cluster.node("c-1", seeds: [], start: false)
        let config = "\(cluster.directory)/gateway.yaml"
        func write(port: Int) throws {
            try Data("""
                upstreams:
                  - { id: u, targets: [ { url: "http://127.0.0.1:\(port)" } ] }
                routes:
                  - { id: kept, match: { path_prefix: /k }, upstream: u }
                  - { id: cached, match: { path_prefix: /c }, upstream: u, cache: { ttl: 30s } }
                """.utf8).write(to: URL(fileURLWithPath: config))
        }
        try write(port: node.adminPort)
        node.extraArguments = ["--config", config]
        try node.start()
        try eventually("the node answers", within: 20) { (try? figures(node)) != nil }
        XCTAssertEqual(try figures(node)["bust_epoch"] as? Int, 0)

        node.send(SIGHUP)
        try eventually("the unchanged config is reloaded", within: 10) {
            (try? String(contentsOfFile: node.logPath, encoding: .utf8))?.contains("SIGHUP: gateway config reloaded") == true
        }
        XCTAssertEqual(try figures(node)["bust_epoch"] as? Int, 0, "an unchanged config busted something")

        try write(port: node.httpPort)
        node.send(SIGHUP)
        try eventually("the cached route of the changed upstream is busted", within: 10) {
            try metric(node, "meshgate_cache_route_busts_total") == 1
        }
        XCTAssertEqual(try figures(node)["bust_epoch"] as? Int, 1, "the route that caches nothing was busted too")
        XCTAssertEqual(try busts(node), 0, "a config's route busts are not mesh busts")
    }

    /// End to end: a response the gateway stored is gone on the node that stored it after a bust
    /// of its URL asked of another node, and the next request misses.
    func testABustedURLIsAMissOnTheNodeThatStoredIt() throws {
        let a = try cluster.node("e-1", seeds: [], start: false)
        let b = try cluster.node("e-2", seeds: [a.gossipAddress], start: false)
        let config = "\(cluster.directory)/gateway.yaml"
        try Data("""
            upstreams:
              - { id: admin, targets: [ { url: "http://127.0.0.1:\(a.adminPort)" } ] }
            routes:
              - { id: cached, match: { path_prefix: /c }, strip_prefix: true, upstream: admin, cache: { ttl: 30s } }
            """.utf8).write(to: URL(fileURLWithPath: config))
        for node in [a, b] {
            node.extraArguments = ["--config", config]
            try node.start()
        }
        try cluster.waitUntilAlive([a, b], on: [a, b], within: 30)
        func xCache() throws -> String {
            let response = try AdminHTTP(port: a.httpPort, token: nil).get("/c/healthz")
            XCTAssertEqual(response.status, 200)
            return response.header("x-cache") ?? "none"
        }
        try eventually("a repeated request is a hit", within: 10) { try xCache() == "hit" }
        let stored = try XCTUnwrap(try figures(a)["entries"] as? Int)
        XCTAssertGreaterThan(stored, 0)

        let run = try meshctl(b, ["bust", "--json", "http://127.0.0.1:\(a.httpPort)/c/healthz"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let acks = try XCTUnwrap(answer["acknowledged"] as? [[String: Any]])
        XCTAssertEqual(acks.first?["name"] as? String, "e-1")
        XCTAssertEqual(acks.first?["removed"] as? Int, 1, "\(answer)")
        XCTAssertEqual(try figures(a)["entries"] as? Int, stored - 1)
        XCTAssertEqual(try xCache(), "miss")
    }
}
