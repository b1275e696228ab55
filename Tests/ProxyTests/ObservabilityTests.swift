import ManagerCore
import NIOPosix
import XCTest

@testable import Proxy

final class ObservabilityTests: XCTestCase {
    func testMetricsPerRouteAndUpstream() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let busy = try await TestUpstream(name: "busy", group: group, status: .tooManyRequests)
        let dead = try freePort()
        let metrics = RecordingMetrics()
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + upstreamYAML("gone", ports: [dead], extra: "    retries: 0\n")
                + upstreamYAML("busy", ports: [busy.port])
                + "routes:\n  - { id: ok, match: { path: /ok }, upstream: up }\n  - { id: broken, match: { path: /broken }, upstream: gone }\n"
                + "  - { id: busy, match: { path: /busy }, upstream: busy }\n",
            options: GatewayOptions(metricsFactory: metrics))
        let c = try gw.client()
        for _ in 0..<3 { XCTAssertEqual(try c.get("/ok").status, 200) }
        XCTAssertEqual(try c.get("/broken").status, 502)
        XCTAssertEqual(try c.get("/nowhere").status, 404)
        XCTAssertEqual(try c.get("/busy").status, 429)
        XCTAssertEqual(metrics.counter("meshgate_gateway_requests_total", [("route", "ok"), ("status", "2xx")]), 3)
        XCTAssertEqual(metrics.timerSamples("meshgate_gateway_request_duration_seconds", [("route", "ok")]), 3)
        XCTAssertEqual(metrics.counter("meshgate_gateway_requests_total", [("route", "broken"), ("status", "5xx")]), 1)
        XCTAssertEqual(metrics.counter("meshgate_upstream_errors_total", [("upstream", "gone")]), 1)
        XCTAssertEqual(metrics.counter("meshgate_gateway_unrouted_requests_total", []), 1)
        XCTAssertEqual(metrics.counter("meshgate_upstream_responses_total", [("upstream", "up"), ("status", "2xx")]), 3)
        XCTAssertEqual(metrics.timerSamples("meshgate_upstream_response_duration_seconds", [("upstream", "up")]), 3)
        XCTAssertEqual(metrics.counter("meshgate_upstream_responses_total", [("upstream", "gone"), ("status", "5xx")]), 0,
                       "the gateway's 502 is not a response of the upstream")
        // The upstream's own 429 is a 4xx of the route, not a rate limit of the gateway's.
        XCTAssertEqual(metrics.counter("meshgate_gateway_requests_total", [("route", "busy"), ("status", "4xx")]), 1)
        XCTAssertEqual(metrics.counter("meshgate_upstream_responses_total", [("upstream", "busy"), ("status", "4xx")]), 1)
        XCTAssertEqual(metrics.counter("meshgate_gateway_rate_limited_total", [("route", "busy")]), 0)
        await gw.stop()
        await up.close()
        await busy.close()
        try await group.shutdownGracefully()
    }
}
