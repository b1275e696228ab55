import Foundation
import Sodium
import XCTest

/// Signed config through real meshd processes: the manager signs what `meshctl apply` sends,
/// workers fetch, verify and serve it, catch up from peers with the manager down, and come
/// back on their last-known-good config; rollback, promote, audit, export and import.
/// The upstream is a node's own admin API (`/healthz` answers `ok`).
final class ConfigDistributionTests: XCTestCase {
    var cluster: TestCluster!
    var signingKey = "", trustKey = ""

    override func setUpWithError() throws {
        cluster = try TestCluster("config")
        let pair = Ed25519.keyPair()
        signingKey = "\(cluster.directory)/manager.key"
        trustKey = "\(cluster.directory)/manager.pub"
        try Data((Data(pair.secretKey).base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: signingKey))
        try Data((Data(pair.publicKey).base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: trustKey))
    }

    override func tearDown() {
        cluster.shutdown()
    }

    func manager(seeds: [String] = []) throws -> MeshdNode {
        let node = try cluster.node("manager", seeds: seeds, start: false)
        node.extraArguments = ["--role", "manager", "--signing-key", signingKey, "--tags", "region=eu"]
        try node.start()
        return node
    }

    func worker(_ name: String, env: String = "prod", seeds: [String], keyFile: String? = nil) throws -> MeshdNode {
        let node = try cluster.node(name, seeds: seeds, keyFile: keyFile, start: false)
        node.extraArguments = ["--trust-key", trustKey, "--tags", "env=\(env)"]
        try node.start()
        return node
    }

    /// A manifest routing PREFIX/… to the admin API on `upstreamPort`.
    func manifest(_ name: String, prefix: String, upstreamPort: Int, env: String = "prod") throws -> String {
        let path = "\(cluster.directory)/\(name).yaml"
        try Data("""
            environment: \(env)
            upstreams:
              - { id: admin, targets: [ { url: "http://127.0.0.1:\(upstreamPort)" } ] }
            routes:
              - { id: app, match: { path_prefix: \(prefix) }, strip_prefix: true, upstream: admin }
            """.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func meshctl(_ node: MeshdNode, _ arguments: [String]) throws -> MeshctlRun {
        try MeshctlRun.run(["--node", node.adminURL, "--token-file", cluster.tokenFile] + arguments, within: 60)
    }

    func status(_ node: MeshdNode, _ path: String) -> Int {
        (try? AdminHTTP(port: node.httpPort, token: nil).get(path).status) ?? 0
    }

    func metric(_ node: MeshdNode, _ line: String) throws -> Double? {
        let text = try AdminHTTP(port: node.adminPort, token: nil).get("/metrics").text
        return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    func testApplyReachesEveryWorkerAndSurvivesTheManager() throws {
        let boss = try manager()
        let w1 = try worker("w-1", seeds: [boss.gossipAddress])
        let w2 = try worker("w-2", seeds: [boss.gossipAddress, w1.gossipAddress])
        try cluster.waitUntilAlive([boss, w1, w2], on: [boss, w1, w2], within: 20)

        let first = try manifest("v1", prefix: "/a", upstreamPort: w1.adminPort)
        let applied = try meshctl(boss, ["apply", "-f", first])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        XCTAssertTrue(applied.stdout.contains("published prod version 1"), applied.stdout)
        XCTAssertTrue(applied.stdout.contains("2 of 2 workers of prod serve version 1"), applied.stdout)
        XCTAssertEqual(status(w1, "/a/healthz"), 200)
        XCTAssertEqual(status(w2, "/a/healthz"), 200)

        let again = try meshctl(boss, ["apply", "-f", first])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("nothing changed"), again.stdout)

        // A second version: workers that run the first fetch only what changed.
        let second = "\(cluster.directory)/v2.yaml"
        try Data((try String(contentsOfFile: first, encoding: .utf8) + "\n  - { id: extra, match: { path_prefix: /c }, strip_prefix: true, upstream: admin }\n").utf8)
            .write(to: URL(fileURLWithPath: second))
        let delta = try meshctl(boss, ["apply", "-f", second])
        XCTAssertEqual(delta.status, 0, delta.stderr)
        XCTAssertTrue(delta.stdout.contains("2 of 2 workers of prod serve version 2"), delta.stdout)
        XCTAssertEqual(status(w1, "/c/healthz"), 200)
        for worker in [w1, w2] {
            XCTAssertGreaterThan(try metric(worker, "meshgate_config_fetched_bytes_total{kind=\"delta\"}") ?? 0, 0,
                                 "\(worker.name) fetched no delta")
        }

        let members = try XCTUnwrap(try boss.admin.object("/v1/status")["members"] as? [[String: Any]])
        let w1Record = try XCTUnwrap(members.first { $0["name"] as? String == "w-1" })
        XCTAssertEqual(w1Record["config_version"] as? Int, 2)
        XCTAssertEqual(w1Record["config_lag"] as? Int, 0)

        // SIGHUP reloads nothing on the manager either, and does not end it.
        boss.send(SIGHUP)
        try eventually("the manager answers SIGHUP in its log", within: 10) {
            (try? String(contentsOfFile: boss.logPath, encoding: .utf8))?.contains("nothing to reload") == true
        }
        XCTAssertNoThrow(try boss.admin.object("/v1/status"), "SIGHUP ended the manager")

        // The manager dies; a worker started afterwards with only workers as seeds catches up from them.
        boss.send(SIGKILL)
        _ = boss.waitForExit(seconds: 5)
        let late = try worker("w-3", seeds: [w1.gossipAddress, w2.gossipAddress])
        try eventually("a late worker serves the current config from a peer", within: 15) {
            status(late, "/a/healthz") == 200
        }
        XCTAssertEqual(status(late, "/c/healthz"), 200)
        XCTAssertGreaterThan(try metric(late, "meshgate_config_fetched_bytes_total{kind=\"full\"}") ?? 0, 0)
        XCTAssertEqual(try metric(late, "meshgate_config_fetched_bytes_total{kind=\"delta\"}"), 0,
                       "a worker with no config cannot take a delta")

        // SIGHUP on a worker the manager configures reloads nothing: the signed version stays.
        w1.send(SIGHUP)
        try eventually("SIGHUP is answered in the log", within: 10) {
            (try? String(contentsOfFile: w1.logPath, encoding: .utf8))?.contains("nothing to reload") == true
        }
        XCTAssertEqual(status(w1, "/c/healthz"), 200)
        XCTAssertEqual(try metric(w1, "meshgate_config_version"), 2)

        // A worker restarted with no peer at all serves its last-known-good config.
        w2.send(SIGTERM)
        XCTAssertTrue(w2.waitForExit(seconds: 10))
        w2.seeds = []
        try w2.start()
        try eventually("a lone restarted worker serves its last-known-good config", within: 5) {
            status(w2, "/a/healthz") == 200
        }
        // The gateway serves before the node has joined or opened its admin API.
        try eventually("the restarted worker's admin API answers", within: 10) { (try? metric(w2, "meshgate_config_version")) != nil }
        XCTAssertEqual(try metric(w2, "meshgate_config_version"), 2)
    }

    func testRollbackPromoteAuditAndSecondManagerStart() throws {
        let boss = try manager()
        let prod = try worker("prod-1", seeds: [boss.gossipAddress])
        let staging = try worker("staging-1", env: "staging", seeds: [boss.gossipAddress])
        try cluster.waitUntilAlive([boss, prod, staging], on: [boss, prod, staging], within: 20)

        XCTAssertEqual(try meshctl(boss, ["apply", "-f", try manifest("v1", prefix: "/a", upstreamPort: boss.adminPort)]).status, 0)
        let second = try manifest("v2", prefix: "/b", upstreamPort: boss.adminPort)
        let diff = try meshctl(boss, ["diff", "-f", second])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("~ route app"), diff.stdout)
        XCTAssertEqual(try meshctl(boss, ["apply", "-f", second]).status, 0)
        XCTAssertEqual(status(prod, "/b/healthz"), 200)
        XCTAssertEqual(status(prod, "/a/healthz"), 404)

        let rollback = try meshctl(boss, ["rollback", "1", "--env", "prod"])
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertTrue(rollback.stdout.contains("published prod version 3"), rollback.stdout)
        XCTAssertEqual(status(prod, "/a/healthz"), 200)
        XCTAssertEqual(status(prod, "/b/healthz"), 404)

        XCTAssertEqual(status(staging, "/a/healthz"), 404, "a staging worker took a prod version")
        let promote = try meshctl(boss, ["promote", "--from", "prod", "--to", "staging"])
        XCTAssertEqual(promote.status, 0, promote.stderr)
        XCTAssertTrue(promote.stdout.contains("1 of 1 workers of staging serve version 1"), promote.stdout)
        XCTAssertEqual(status(staging, "/a/healthz"), 200)

        let history = try meshctl(boss, ["history", "--env", "prod"])
        XCTAssertEqual(history.status, 0, history.stderr)
        XCTAssertTrue(history.stdout.contains("rollback to version 1"), history.stdout)
        XCTAssertEqual(history.stdout.split(separator: "\n").count, 4, history.stdout)
        let audit = try meshctl(boss, ["history", "--audit"])
        let actions = audit.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        XCTAssertEqual(actions, ["apply", "apply", "rollback", "promote"], audit.stdout)

        // The manager restarts from its data folder: the history is still there, the line goes on.
        boss.send(SIGTERM)
        XCTAssertTrue(boss.waitForExit(seconds: 10))
        boss.seeds = [prod.gossipAddress]
        try boss.start()
        try eventually("the manager answers again", within: 15) { (try? boss.admin.object("/v1/status")) != nil }
        XCTAssertEqual(try meshctl(boss, ["history", "--env", "prod"]).stdout.split(separator: "\n").count, 4)
        let fourth = try meshctl(boss, ["apply", "-f", second])
        XCTAssertEqual(fourth.status, 0, fourth.stderr)
        XCTAssertTrue(fourth.stdout.contains("published prod version 4"), fourth.stdout)
    }

    func testExportImportIntoAMeshTheManagerNeverSaw() throws {
        let boss = try manager()
        let prod = try worker("prod-1", seeds: [boss.gossipAddress])
        try cluster.waitUntilAlive([boss, prod], on: [boss, prod], within: 20)
        XCTAssertEqual(try meshctl(boss, ["apply", "-f", try manifest("v1", prefix: "/a", upstreamPort: prod.adminPort)]).status, 0)
        let bundle = "\(cluster.directory)/prod.bundle"
        let export = try meshctl(boss, ["export", "--env", "prod", "-o", bundle])
        XCTAssertEqual(export.status, 0, export.stderr)

        // Another mesh (its own cluster key), never joined to the manager.
        let farKey = try cluster.newKeyFile("far")
        let far1 = try worker("far-1", seeds: [], keyFile: farKey)
        let far2 = try worker("far-2", seeds: [far1.gossipAddress], keyFile: farKey)
        try cluster.waitUntilAlive([far1, far2], on: [far1, far2], within: 20)
        XCTAssertEqual(status(far2, "/a/healthz"), 404)
        let imported = try meshctl(far1, ["import", bundle])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("2 of 2 workers of prod serve version 1"), imported.stdout)
        XCTAssertEqual(status(far2, "/a/healthz"), 200)

        // A bundle signed by a key the far mesh does not trust is refused, counted, and changes nothing.
        let rogueManager = try cluster.startManager("rogue")
        XCTAssertEqual(try meshctl(rogueManager, ["apply", "--no-wait", "-f",
                                                  try manifest("rogue", prefix: "/r", upstreamPort: prod.adminPort)]).status, 0)
        let rogueBundle = "\(cluster.directory)/rogue.bundle"
        XCTAssertEqual(try meshctl(rogueManager, ["export", "--env", "prod", "-o", rogueBundle]).status, 0)
        let refused = try meshctl(far1, ["import", rogueBundle])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("unknown_key"), refused.stderr)
        XCTAssertEqual(try metric(far1, "meshgate_config_rejected_total{reason=\"unknown_key\"}"), 1)
        XCTAssertEqual(status(far1, "/a/healthz"), 200)
        XCTAssertEqual(status(far1, "/r/healthz"), 404)
    }

    func testAStandbyManagerWithTheSameKeyContinuesTheVersionLine() throws {
        let boss = try manager()
        let w1 = try worker("w-1", seeds: [boss.gossipAddress])
        try cluster.waitUntilAlive([boss, w1], on: [boss, w1], within: 20)
        XCTAssertEqual(try meshctl(boss, ["apply", "-f", try manifest("v1", prefix: "/a", upstreamPort: w1.adminPort)]).status, 0)

        // A second manager with the same key and an empty data folder learns version 1 from the mesh.
        let standby = try cluster.node("standby", seeds: [w1.gossipAddress], start: false)
        standby.extraArguments = ["--role", "manager", "--signing-key", signingKey]
        try standby.start()
        try eventually("the standby holds version 1", within: 20) {
            (try? meshctl(standby, ["history", "--env", "prod"]).stdout.contains("\n1 ")) == true
        }
        boss.send(SIGTERM)
        XCTAssertTrue(boss.waitForExit(seconds: 10))
        let next = try meshctl(standby, ["apply", "-f", try manifest("v2", prefix: "/b", upstreamPort: w1.adminPort)])
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stdout.contains("published prod version 2"), next.stdout)
        XCTAssertEqual(status(w1, "/b/healthz"), 200)
    }

    func testTwoSourcesOfConfigAreRefusedAtStart() throws {
        let node = try cluster.node("both", seeds: [], start: false)
        let path = try manifest("local", prefix: "/a", upstreamPort: node.adminPort)
        node.extraArguments = ["--trust-key", trustKey, "--config", path]
        try node.start()
        XCTAssertTrue(node.waitForExit(seconds: 10))
        XCTAssertNotEqual(node.terminationStatus, 0)
        let log = try String(contentsOfFile: node.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("--config and --trust-key are two sources of gateway config"), log)
    }
}
