import Crypto
import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

final class BalancingTests: XCTestCase {
    private func counts(_ gw: GatewayHarness, _ n: Int, path: String = "/", headers: (Int) -> [String: String] = { _ in [:] }) throws -> [String: Int] {
        let c = try gw.client()
        var seen: [String: Int] = [:]
        for i in 0..<n {
            let r = try c.get(path, headers: headers(i))
            XCTAssertEqual(r.status, 200)
            seen[r.header("x-upstream") ?? "none", default: 0] += 1
        }
        return seen
    }

    func testRoundRobinWeightedAndLeastConnections() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let b = try await TestUpstream(name: "b", group: group)
        let c = try await TestUpstream(name: "c", group: group)
        let yaml = """
            upstreams:
              - id: rr
                targets: [{ url: "http://127.0.0.1:\(a.port)" }, { url: "http://127.0.0.1:\(b.port)" }, { url: "http://127.0.0.1:\(c.port)" }]
              - id: wrr
                balancer: weighted_round_robin
                targets: [{ url: "http://127.0.0.1:\(a.port)", weight: 3 }, { url: "http://127.0.0.1:\(b.port)", weight: 1 }]
              - id: lc
                balancer: least_connections
                targets: [{ url: "http://127.0.0.1:\(a.port)" }, { url: "http://127.0.0.1:\(b.port)" }]
            routes:
              - { id: rr, match: { path: /rr }, upstream: rr }
              - { id: wrr, match: { path: /wrr }, upstream: wrr }
              - { id: lc, match: { path: /lc }, upstream: lc }

            """
        let gw = try await GatewayHarness.start(yaml: yaml)
        XCTAssertEqual(try counts(gw, 30, path: "/rr"), ["a": 10, "b": 10, "c": 10])
        XCTAssertEqual(try counts(gw, 40, path: "/wrr"), ["a": 30, "b": 10])
        // Sequential requests leave no connection busy, so least-connections spreads them evenly.
        XCTAssertEqual(try counts(gw, 20, path: "/lc"), ["a": 10, "b": 10])
        await gw.stop()
        for u in [a, b, c] { await u.close() }
        try await group.shutdownGracefully()
    }

    func testConsistentHashKeepsAKeyOnOneTarget() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ups = [try await TestUpstream(name: "a", group: group), try await TestUpstream(name: "b", group: group), try await TestUpstream(name: "c", group: group)]
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("h", ports: ups.map(\.port), extra: "    balancer: consistent_hash\n    hash_on: { header: X-User }\n") + "routes:\n  - { id: all, upstream: h }\n")
        let c = try gw.client()
        var owner: [String: String] = [:]
        for round in 0..<3 {
            for user in 0..<30 {
                let r = try c.get("/", headers: ["X-User": "user-\(user)"])
                let target = r.header("x-upstream")!
                if round == 0 { owner["\(user)"] = target } else { XCTAssertEqual(owner["\(user)"], target) }
            }
        }
        XCTAssertEqual(Set(owner.values).count, 3, "keys spread over every target")
        await gw.stop()
        for u in ups { await u.close() }
        try await group.shutdownGracefully()
    }

    func testDeadTargetIsRetriedAroundAndEjected() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let alive = try await TestUpstream(name: "alive", group: group)
        let deadPort = try freePort()
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML(
            "u", ports: [deadPort, alive.port], extra: "    retries: 1\n    passive_health: { max_failures: 2, cool_down: 30s }\n")
            + "routes:\n  - { id: all, upstream: u }\n")
        let c = try gw.client()
        for _ in 0..<20 {
            let r = try c.get("/")
            XCTAssertEqual(r.status, 200, "a connect failure is retried on the other target")
            XCTAssertEqual(r.header("x-upstream"), "alive")
        }
        let snapshot = gw.gateway.snapshot
        let dead = snapshot.upstreams["u"]!.targets.first { $0.config.port == deadPort }!
        XCTAssertFalse(dead.health.isAvailable(now: .now()), "the dead target is ejected")
        // POST is not idempotent, but a connect failure never reached the upstream, so it is retried too.
        try c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertEqual(try c.readResponse().status, 200)
        await gw.stop()
        await alive.close()
        try await group.shutdownGracefully()
    }

    func testActiveHealthCheckTakesTargetOutAndBringsItBack() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stable = try await TestUpstream(name: "stable", group: group)
        let flappingPort = try freePort()
        var flapping: TestUpstream? = try await TestUpstream(name: "flapping", group: group, port: flappingPort)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML(
            "u", ports: [stable.port, flappingPort],
            extra: "    health_check: { path: /healthz, interval: 50ms, timeout: 200ms, healthy_threshold: 2, unhealthy_threshold: 2 }\n")
            + "routes:\n  - { id: all, upstream: u }\n")
        XCTAssertEqual(try counts(gw, 10), ["stable": 5, "flapping": 5])
        await flapping?.close()
        flapping = nil
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertEqual(try counts(gw, 10), ["stable": 10], "the failing target is out")
        flapping = try await TestUpstream(name: "flapping", group: group, port: flappingPort)
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertEqual(try counts(gw, 10)["flapping"], 5, "the recovered target is back")
        XCTAssertTrue(flapping!.requests.contains { $0.head.uri == "/healthz" })
        await gw.stop()
        await stable.close()
        await flapping?.close()
        try await group.shutdownGracefully()
    }

    func testTargetNoLongerHealthCheckedIsBackInRotation() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stable = try await TestUpstream(name: "stable", group: group)
        let flappingPort = try freePort()
        var flapping = try await TestUpstream(name: "flapping", group: group, port: flappingPort)
        let checked = "upstreams:\n" + upstreamYAML(
            "u", ports: [stable.port, flappingPort],
            extra: "    health_check: { path: /healthz, interval: 50ms, timeout: 200ms, healthy_threshold: 1000, unhealthy_threshold: 2 }\n")
            + "routes:\n  - { id: all, upstream: u }\n"
        let gw = try await GatewayHarness.start(yaml: checked)
        await flapping.close()
        try await Task.sleep(for: .milliseconds(400))
        flapping = try await TestUpstream(name: "flapping", group: group, port: flappingPort)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(try counts(gw, 10), ["stable": 10], "down until 1,000 checks pass")
        try gw.apply("upstreams:\n" + upstreamYAML("u", ports: [stable.port, flappingPort]) + "routes:\n  - { id: all, upstream: u }\n")
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(try counts(gw, 10), ["stable": 5, "flapping": 5], "the last check's verdict outlived the checks")
        await gw.stop()
        await stable.close()
        await flapping.close()
        try await group.shutdownGracefully()
    }

    func testOwnRegionFirstOthersOnlyWhenNoneHealthy() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let eu = try await TestUpstream(name: "eu", group: group)
        let us = try await TestUpstream(name: "us", group: group)
        let yaml = """
            upstreams:
              - id: u
                passive_health: { max_failures: 1, cool_down: 30s }
                targets:
                  - { url: "http://127.0.0.1:\(us.port)", tags: { region: us } }
                  - { url: "http://127.0.0.1:\(eu.port)", tags: { region: eu } }
            routes:
              - { id: all, upstream: u }

            """
        let gw = try await GatewayHarness.start(yaml: yaml, options: GatewayOptions(tags: ["region": "eu"]))
        XCTAssertEqual(try counts(gw, 10), ["eu": 10])
        await eu.close()
        XCTAssertEqual(try counts(gw, 10), ["us": 10], "with the own region down, the other region serves")
        await gw.stop()
        await us.close()
        try await group.shutdownGracefully()
    }

    func testSplitSharesAndStickiness() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let v1 = try await TestUpstream(name: "v1", group: group)
        let v2 = try await TestUpstream(name: "v2", group: group)
        let base = "upstreams:\n" + upstreamYAML("v1", ports: [v1.port]) + upstreamYAML("v2", ports: [v2.port])
        let gw = try await GatewayHarness.start(yaml: base + """
            routes:
              - id: split
                split: [{ upstream: v1, weight: 95 }, { upstream: v2, weight: 5 }]
              - id: sticky
                match: { path_prefix: /sticky }
                split: [{ upstream: v1, weight: 50 }, { upstream: v2, weight: 50 }]
                sticky: { cookie: sid }

            """)
        XCTAssertEqual(try counts(gw, 200), ["v1": 190, "v2": 10])
        var first: [Int: String] = [:]
        for round in 0..<2 {
            let seen = try counts(gw, 40, path: "/sticky") { ["Cookie": "theme=dark; sid=s\($0)"] }
            XCTAssertEqual(seen.count, 2, "sticky keys still spread over both shares")
            let c = try gw.client()
            for i in 0..<40 {
                let r = try c.get("/sticky", headers: ["Cookie": "sid=s\(i)"])
                if round == 0 { first[i] = r.header("x-upstream") } else { XCTAssertEqual(first[i], r.header("x-upstream")) }
            }
        }
        try gw.apply(base + "routes:\n  - id: split\n    split: [{ upstream: v1, weight: 0 }, { upstream: v2, weight: 100 }]\n")
        XCTAssertEqual(try counts(gw, 20), ["v2": 20], "the next apply moves all traffic")
        await gw.stop()
        await v1.close()
        await v2.close()
        try await group.shutdownGracefully()
    }

    func testSplitStickyPerConsumerFollowsTheAuthenticatedName() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let v1 = try await TestUpstream(name: "v1", group: group)
        let v2 = try await TestUpstream(name: "v2", group: group)
        let consumers = (0..<31).map { "consumer-\($0)" }
        let keys = consumers.map { name in
            let digest = SHA256.hash(data: Data("key-of-\(name)".utf8)).map { String(format: "%02x", $0) }.joined()
            return "          - { consumer: \(name), sha256: \(digest) }\n"
        }.joined()
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("v1", ports: [v1.port]) + upstreamYAML("v2", ports: [v2.port])
            + "routes:\n  - id: canary\n    split: [{ upstream: v1, weight: 50 }, { upstream: v2, weight: 50 }]\n"
            + "    sticky: { consumer: true }\n    policies:\n      - type: api_key\n        keys:\n" + keys)
        var placed: [String: String] = [:]
        for round in 0..<3 {
            // A fresh connection per round; each consumer keeps its share whatever else it sends.
            let c = try gw.client()
            for name in consumers {
                let r = try c.get("/r\(round)", headers: ["X-API-Key": "key-of-\(name)", "Cookie": "n=\(round)"])
                XCTAssertEqual(r.status, 200)
                let share = r.header("x-upstream") ?? "-"
                if round == 0 { placed[name] = share } else { XCTAssertEqual(placed[name], share, name) }
            }
        }
        XCTAssertEqual(Set(placed.values), ["v1", "v2"], "consumers spread over both shares")
        await gw.stop()
        await v1.close()
        await v2.close()
        try await group.shutdownGracefully()
    }
}
