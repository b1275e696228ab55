import ManagerCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

final class ConfigTests: XCTestCase {
    func testSmallestConfigFromInterfacesLoads() throws {
        let config = try GatewayConfig.parse(yaml: """
            environment: prod
            upstreams:
              - id: backend
                targets:
                  - url: http://127.0.0.1:18080
            routes:
              - id: all
                match: { path_prefix: / }
                upstream: backend
                cache: { ttl: 30s }
            """, file: "gw.yaml")
        XCTAssertEqual(config.upstreams.map(\.id), ["backend"])
        XCTAssertEqual(config.upstreams[0].targets[0].port, 18080)
        XCTAssertEqual(config.routes[0].match.path, .prefix("/"))
        XCTAssertEqual(config.routes[0].cache, CacheRule(ttl: .seconds(30), override: false))
    }

    func testFullRouteShape() throws {
        let config = try GatewayConfig.parse(yaml: """
            upstreams:
              - id: v1
                balancer: consistent_hash
                hash_on: { header: X-User }
                targets:
                  - { url: "http://127.0.0.1:9001", weight: 3, tags: { region: eu } }
                timeouts: { connect: 250ms, read: 2s }
                retries: 2
                passive_health: { max_failures: 5, cool_down: 1m }
                health_check: { path: /healthz, interval: 1s }
              - id: v2
                targets: [{ url: "http://127.0.0.1:9002" }]
            routes:
              - id: users
                match:
                  host: "*.example.com"
                  path: /users/{id}
                  methods: [get, PURGE]
                  headers: { X-Env: canary }
                split: [{ upstream: v1, weight: 95 }, { upstream: v2, weight: 5 }]
                sticky: { cookie: sid }
                policies:
                  - type: api_key
                    header: X-Key
                    keys: [{ consumer: c, sha256: "\(String(repeating: "0f", count: 32))" }]
                cache: { ttl: 10s, override: true }
            """, file: "full.yaml")
        let v1 = config.upstreams[0]
        XCTAssertEqual(v1.balancer, .consistentHash(.header("x-user")))
        XCTAssertEqual(v1.targets[0].weight, 3)
        XCTAssertEqual(v1.targets[0].tags, ["region": "eu"])
        XCTAssertEqual(v1.connectTimeout, .milliseconds(250))
        XCTAssertEqual(v1.passiveHealth, PassiveHealth(maxFailures: 5, coolDown: .seconds(60)))
        XCTAssertEqual(v1.healthCheck?.path, "/healthz")
        let route = config.routes[0]
        XCTAssertEqual(route.match.hosts, ["*.example.com"])
        XCTAssertEqual(route.match.path, .exact("/users/{id}"))
        XCTAssertEqual(route.match.methods, ["GET", "PURGE"])
        XCTAssertEqual(route.destination, .split([.init(upstream: "v1", weight: 95), .init(upstream: "v2", weight: 5)], sticky: .cookie("sid")))
        XCTAssertEqual(route.policies.map(\.type), ["api_key"])
        XCTAssertEqual(route.cache, CacheRule(ttl: .seconds(10), override: true))
    }

    func testErrorsNameFileAndLine() {
        assertError("""
            upstreams:
              - id: a
                targets: [{ url: "http://127.0.0.1:1" }]
                balancr: round_robin
            """, "bad.yaml:4: unknown key 'balancr'")
        assertError("""
            upstreams:
              - id: a
                targets: [{ url: "http://127.0.0.1:1" }]
            routes:
              - id: r
                upstream: missing
            """, "bad.yaml:5: route 'r' names unknown upstream 'missing'")
        assertError("""
            upstreams:
              - id: a
                targets: [{ url: "127.0.0.1:1" }]
            """, "bad.yaml:3: target url '127.0.0.1:1' must look like http://HOST:PORT")
        assertError("""
            upstreams:
              - id: a
                targets: [{ url: "http://127.0.0.1:1" }]
                timeouts: { read: soon }
            """, "bad.yaml:4: read timeout 'soon' is not a duration")
        assertError("routes: [ {", "bad.yaml:2: invalid YAML")
        assertError("""
            upstreams:
              - id: a
                targets: [{ url: "http://127.0.0.1:1" }]
              - id: a
                targets: [{ url: "http://127.0.0.1:2" }]
            """, "bad.yaml:4: duplicate upstream id 'a'")
        assertError("""
            upstreams:
              - id: a
                targets: [{ url: "http://127.0.0.1:1" }]
            routes:
              - id: r
                upstream: a
                policies:
                  - type: no_such_policy
            """, "bad.yaml:8: unknown policy type 'no_such_policy'")
    }

    func testFolderOfFilesIsOneConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gwcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "upstreams:\n  - id: a\n    targets: [{ url: \"http://127.0.0.1:1\" }]\n"
            .write(to: dir.appendingPathComponent("01-upstreams.yaml"), atomically: true, encoding: .utf8)
        try "routes:\n  - id: r\n    upstream: a\n  - id: r2\n    upstream: nope\n"
            .write(to: dir.appendingPathComponent("02-routes.yml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ManifestLoader.local.load(path: dir.path).config) { error in
            XCTAssertEqual("\(error)", "\(dir.path)/02-routes.yml:4: route 'r2' names unknown upstream 'nope'")
        }
        try "routes:\n  - id: r\n    upstream: a\n"
            .write(to: dir.appendingPathComponent("02-routes.yml"), atomically: true, encoding: .utf8)
        let config = try ManifestLoader.local.load(path: dir.path).config
        XCTAssertEqual(config.routes.map(\.id), ["r"])
        XCTAssertEqual(config.upstreams.map(\.id), ["a"])
    }

    private func assertError(_ yaml: String, _ prefix: String, line: UInt = #line) {
        XCTAssertThrowsError(try GatewayConfig.parse(yaml: yaml, file: "bad.yaml"), line: line) { error in
            XCTAssertTrue("\(error)".hasPrefix(prefix), "got: \(error)", line: line)
        }
    }
}
