import Foundation
import XCTest

/// One response cache across real meshd processes in front of nginx: a key is stored at its
/// owners and served from every node, the origin seeing one request, and each node's cache
/// stats count its gateway's hits and misses; a node whose owner is gone still answers; a
/// worker that leaves hands its keys to their next owners; a POST through one worker
/// invalidates the URL on all of them.
final class CacheMeshTests: XCTestCase {
    var cluster: TestCluster!
    var origin: NginxOrigin!

    override func setUpWithError() throws {
        cluster = try TestCluster("cachemesh")
        origin = try NginxOrigin(directory: cluster.directory)
    }

    override func tearDown() {
        cluster.shutdown()
        origin.stop()
    }

    private func mesh(_ count: Int) throws -> [MeshdNode] {
        let config = "\(cluster.directory)/gateway.yaml"
        try Data("""
            upstreams:
              - { id: origin, targets: [ { url: "http://127.0.0.1:\(origin.port)" } ] }
            routes:
              - { id: cached, upstream: origin, cache: { ttl: 60s } }
            """.utf8).write(to: URL(fileURLWithPath: config))
        var nodes: [MeshdNode] = []
        for i in 1...count {
            let node = try cluster.node("c-\(i)", seeds: nodes.first.map { [$0.gossipAddress] } ?? [], start: false)
            node.extraArguments = ["--config", config]
            try node.start()
            nodes.append(node)
        }
        try cluster.waitUntilAlive(nodes, on: nodes, within: 30)
        return nodes
    }

    private func owners(_ path: String, asking node: MeshdNode) throws -> [String] {
        let answer = try node.admin.object("/v1/cache/key?url=http://127.0.0.1\(path)")
        return answer["owners"] as? [String] ?? []
    }

    /// A path whose owners, as `node` sees them, satisfy `wanted`.
    private func findPath(_ prefix: String = "/k", asking node: MeshdNode, where wanted: ([String]) -> Bool) throws -> String {
        for k in 0..<500 where try wanted(owners("\(prefix)\(k)", asking: node)) { return "\(prefix)\(k)" }
        throw IntegrationError("no path found with the owners wanted")
    }

    private func get(_ path: String, from node: MeshdNode) throws -> AdminHTTP.Response {
        var client = AdminHTTP(port: node.httpPort, token: nil)
        client.timeoutSeconds = 10
        let response = try client.get(path)
        XCTAssertEqual(response.status, 200, "\(node.name) \(path)")
        XCTAssertEqual(response.text, "origin:\(path)")
        return response
    }

    private func entries(_ node: MeshdNode) throws -> Int {
        let figures = try node.admin.object("/v1/cache/stats")["node"] as? [String: Any]
        return figures?["entries"] as? Int ?? -1
    }

    func testAKeyIsStoredAtItsOwnersAndEveryNodeServesIt() throws {
        let nodes = try mesh(3)
        let asker = nodes[0]
        try eventually("every node sees three owners' ring", within: 15) {
            try nodes.allSatisfy { node in try owners("/k0", asking: node) == owners("/k0", asking: asker) }
        }
        let path = try findPath(asking: asker) { !$0.contains(asker.name) }
        XCTAssertEqual(try get(path, from: asker).header("x-cache"), "miss")
        for node in nodes {
            XCTAssertEqual(try get(path, from: node).header("x-cache"), "hit", node.name)
        }
        XCTAssertEqual(origin.served(path), 1, "the origin saw the key once")
        let stats = try MeshctlRun.run(["--node", asker.adminURL, "--token-file", cluster.tokenFile, "cache", "stats", "--json"])
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        for node in nodes {
            let row = (answer["nodes"] as? [[String: Any]])?.first { $0["name"] as? String == node.name }
            let requests = ((row?["routes"] as? [String: Any])?["cached"] as? [String: Any])?["requests"] as? [String: Any]
            XCTAssertEqual(requests?["hits"] as? Int, 1, "\(node.name)'s gateway answered the key once from the cache")
            XCTAssertEqual(requests?["misses"] as? Int, node.name == asker.name ? 1 : 0, node.name)
            XCTAssertEqual(requests?["upstream_fetches_saved"] as? Int, 1, node.name)
        }
        let owning = Set(try owners(path, asking: asker))
        for node in nodes {
            XCTAssertEqual(try entries(node), owning.contains(node.name) ? 1 : 0,
                           "\(node.name): the owners store it (\(owning)), the asker keeps only a near copy")
        }
        // `meshctl status` reads each member's cache summary from its meta, published every 10 s.
        try eventually("the owners' cache summaries in the member list", within: 30) {
            let members = try asker.admin.object("/v1/members")["members"] as? [[String: Any]] ?? []
            return members.filter { ($0["cache"] as? [String: Any])?["keys"] as? Int == 1 }.count == owning.count
        }
        let status = try MeshctlRun.run(["--node", asker.adminURL, "--token-file", cluster.tokenFile, "status"])
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("NAME") })
        let column = try XCTUnwrap(header.range(of: "CACHE")).lowerBound.utf16Offset(in: header)
        let ownerRow = try XCTUnwrap(lines.first { $0.hasPrefix(owning.first! + " ") })
        let cell = ownerRow.dropFirst(column).prefix { $0 != " " }
        XCTAssertEqual(cell, "1", "the CACHE column of \(owning.first!):\n\(status.stdout)")
    }

    func testARequestWhoseOwnerIsGoneStillGetsItsAnswer() throws {
        let nodes = try mesh(3)
        let asker = nodes[0]
        let path = try findPath(asking: asker) { !$0.contains(asker.name) }
        _ = try get(path, from: asker)
        let owning = try owners(path, asking: asker)
        let primary = try XCTUnwrap(nodes.first { $0.name == owning.first })
        let backup = try XCTUnwrap(nodes.first { $0.name == owning.last })
        // The owner copies what it stores to the backup after the asker reported its fill.
        try eventually("the backup holds a copy", within: 10) { try entries(backup) == 1 }
        primary.killNow()
        let other = try findPath("/o", asking: asker) { $0.first == primary.name && !$0.contains(asker.name) }
        let started = Date()
        XCTAssertEqual(try get(other, from: asker).header("x-cache"), "miss")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the owner's trouble costs the client at most the ask's bound")
        try eventually("the primary is out of the ring", within: 30) {
            try !owners(path, asking: asker).contains(primary.name)
        }
        let holders = try nodes.filter { $0.name != primary.name }.map { "\($0.name)=\(try entries($0))" }
        let ownersNow = try owners(path, asking: asker)
        XCTAssertEqual(try get(path, from: asker).header("x-cache"), "hit",
                       "the backup held the primary's copy; owners now \(ownersNow), stores \(holders)")
        XCTAssertEqual(origin.served(path), 1)
    }

    func testAWorkerThatLeavesHandsItsKeysToTheirNextOwners() throws {
        let nodes = try mesh(4)
        let asker = nodes[0]
        let leaving = nodes[3]
        let paths = (0..<40).map { "/h\($0)" }
        for path in paths { _ = try get(path, from: asker) }
        let held = try paths.filter { try owners($0, asking: asker).contains(leaving.name) }
        XCTAssertFalse(held.isEmpty)
        leaving.send(SIGTERM)
        XCTAssertTrue(leaving.waitForExit(seconds: 20))
        try eventually("the others see it gone", within: 20) {
            try !owners(held[0], asking: asker).contains(leaving.name)
        }
        for path in held {
            let owning = try owners(path, asking: asker)
            try eventually("\(path) at its new owners \(owning)", within: 10) {
                try owning.allSatisfy { name in try entries(nodes.first { $0.name == name }!) > 0 }
            }
            XCTAssertEqual(try get(path, from: nodes[1]).header("x-cache"), "hit", path)
        }
        for path in paths { XCTAssertEqual(origin.served(path), 1, "\(path) reached the origin once") }
    }

    /// A POST that succeeds through one worker invalidates the URL on every worker: the owners
    /// drop their copies, and the next GET anywhere goes to the origin once.
    func testAnUnsafeRequestThroughOneWorkerInvalidatesTheURLEverywhere() throws {
        let nodes = try mesh(3)
        let asker = nodes[0]
        try eventually("every node sees three owners' ring", within: 15) {
            try nodes.allSatisfy { node in try owners("/k0", asking: node) == owners("/k0", asking: asker) }
        }
        // The POST goes through the one node that owns nothing of the path.
        let path = try findPath("/p", asking: asker) { $0.count == 2 && !$0.contains(asker.name) }
        for node in nodes { _ = try get(path, from: node) }
        XCTAssertEqual(origin.served(path), 1)
        let owning = try owners(path, asking: asker).compactMap { name in nodes.first { $0.name == name } }
        XCTAssertEqual(try owning.map(entries), [1, 1])

        var client = AdminHTTP(port: asker.httpPort, token: nil)
        client.timeoutSeconds = 10
        XCTAssertEqual(try client.post(path, json: ["a": 1]).status, 200)
        try eventually("both owners dropped their copy", within: 10) { try owning.allSatisfy { try entries($0) == 0 } }
        XCTAssertEqual(try get(path, from: owning[0]).header("x-cache"), "miss")
        for node in nodes { XCTAssertEqual(try get(path, from: node).header("x-cache"), "hit", node.name) }
        XCTAssertEqual(origin.served(path), 2, "one more GET reached the origin after the POST")
    }
}
