import ManagerCore
import Logging
import NIOPosix
import Synchronization
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

    func testAccessLogLineAndSampling() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let lines = LineStore()
        let elg = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let logger = Logger(label: "access-test") { _ in CapturingLogHandler(lines: lines) }
        let gateway = try Gateway(
            options: GatewayOptions(host: "127.0.0.1", port: 0, accessLog: .init(enabled: true, sampleEvery: 2)),
            config: try GatewayConfig.parse(yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: r, upstream: up }\n", file: "t.yaml"),
            group: elg, logger: logger)
        let port = try await gateway.start()
        let c = try RawClient(port: port)
        for i in 0..<4 { _ = try c.get("/p\(i)", headers: ["X-Request-Id": "id-\(i)"]) }
        let access = lines.all.filter { $0["route"] != nil }
        XCTAssertEqual(access.count, 2, "one request in two is logged")
        XCTAssertEqual(access.first?["status"], "200")
        XCTAssertEqual(access.first?["route"], "r")
        XCTAssertEqual(access.first?["upstream"], "up")
        XCTAssertEqual(access.first?["request_id"], "id-0")
        await gateway.drain(timeout: .seconds(1))
        try await elg.shutdownGracefully()
        await up.close()
        try await group.shutdownGracefully()
    }
}

private final class LineStore: Sendable {
    private let items = Mutex<[Logger.Metadata]>([])
    func add(_ m: Logger.Metadata) { items.withLock { $0.append(m) } }
    var all: [Logger.Metadata] { items.withLock { $0 } }
}

private struct CapturingLogHandler: LogHandler {
    let lines: LineStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(lines: LineStore) { self.lines = lines }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        guard message.description == "request" else { return }
        let merged = self.metadata.merging(metadata ?? [:]) { $1 }
        lines.add(merged)
    }
}
