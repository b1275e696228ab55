import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// The gateway's metrics after traffic with retries, an ejection, rate-limited requests and
/// client connections coming and going.
final class MetricsTests: XCTestCase {
    func testRetriesEjectionRateLimitAndActiveConnectionsAreCounted() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let alive = try await ScriptedUpstream(name: "alive", group: group)
        let dropper = try await ScriptedUpstream(name: "dropper", group: group) { _, _ in .reset }
        let deadPort = try freePort()
        let metrics = RecordingMetrics()
        // A fresh route id per run: rate-limit buckets are process-wide.
        let limitedRoute = "limited-\(UUID().uuidString.prefix(8))"
        let yaml = "upstreams:\n"
            + upstreamYAML("dead", ports: [deadPort, alive.port], extra: "    retries: 1\n    passive_health: { max_failures: 1, cool_down: 30s }\n")
            + upstreamYAML("resets", ports: [dropper.port, alive.port], extra: "    retries: 1\n    passive_health: { max_failures: 100, cool_down: 1s }\n")
            + upstreamYAML("plain", ports: [alive.port])
            + """
            routes:
              - { id: dead, match: { path: /dead }, upstream: dead }
              - { id: resets, match: { path: /resets }, upstream: resets }
              - id: \(limitedRoute)
                match: { path: /limited }
                upstream: plain
                policies:
                  - { type: rate_limit, requests: 2, per: 1h, key: route }

            """
        let gw = try await GatewayHarness.start(yaml: yaml, options: GatewayOptions(metricsFactory: metrics))
        let active = "meshgate_gateway_active_connections"
        XCTAssertEqual(metrics.meter(active), 0)

        let clients = try (0..<3).map { _ in try gw.client() }
        let upToThree = await eventually { metrics.meter(active) == 3 }
        XCTAssertTrue(upToThree, "three open client connections: \(metrics.meter(active))")
        let c = clients[0]

        // A dead target: the first request to it fails to connect, ejects it (max_failures 1) and is
        // retried on the live one; later requests skip it.
        for _ in 0..<4 { XCTAssertEqual(try c.get("/dead").status, 200) }
        XCTAssertEqual(metrics.counter("meshgate_upstream_retries_total", [("upstream", "dead")]), 1)
        XCTAssertEqual(metrics.counter("meshgate_upstream_ejections_total", [("upstream", "dead")]), 1)
        XCTAssertEqual(metrics.counter("meshgate_upstream_errors_total", [("upstream", "dead")]), 1)

        // A target that resets after reading the request: each such GET is retried once.
        for _ in 0..<2 { XCTAssertEqual(try clients[1].get("/resets").status, 200) }
        XCTAssertGreaterThanOrEqual(dropper.seen.count, 1)
        XCTAssertEqual(metrics.counter("meshgate_upstream_retries_total", [("upstream", "resets")]), Int64(dropper.seen.count))
        XCTAssertEqual(metrics.counter("meshgate_upstream_errors_total", [("upstream", "resets")]), Int64(dropper.seen.count))
        XCTAssertEqual(metrics.counter("meshgate_upstream_ejections_total", [("upstream", "resets")]), 0)

        // Two requests within the limit, then two refused with 429.
        let statuses = try (0..<4).map { _ in try clients[2].get("/limited").status }
        XCTAssertEqual(statuses, [200, 200, 429, 429])
        XCTAssertEqual(metrics.counter("meshgate_gateway_rate_limited_total", [("route", limitedRoute)]), 2)
        XCTAssertEqual(metrics.counter("meshgate_gateway_requests_total", [("route", limitedRoute), ("status", "4xx")]), 2)
        XCTAssertEqual(metrics.counter("meshgate_gateway_requests_total", [("route", limitedRoute), ("status", "2xx")]), 2)
        XCTAssertEqual(metrics.counter("meshgate_gateway_requests_total", [("route", "dead"), ("status", "2xx")]), 4)

        // One more connection, then every client leaves: the gauge goes up and back to zero.
        let fourth = try gw.client()
        XCTAssertEqual(try fourth.get("/dead").status, 200)
        XCTAssertEqual(metrics.meter(active), 4)
        await closeAll(clients + [fourth])
        let backToZero = await eventually { metrics.meter(active) == 0 }
        XCTAssertTrue(backToZero, "closed client connections leave the gauge: \(metrics.meter(active))")
        XCTAssertEqual(metrics.meterPeak(active), 4)
        XCTAssertEqual(gw.gateway.openConnections, 0)
        await gw.stop()
        await alive.close()
        await dropper.close()
        try await group.shutdownGracefully()
    }

    private func closeAll(_ clients: [RawClient]) async {
        for c in clients { shutdown(c.fd, Int32(SHUT_RDWR)) }
    }
}
