import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// Upstream connection pools: `pool.max_connections` answered with 503 once reached, the
/// pools of targets a hot swap removed closed while unchanged ones stay warm, and no
/// connection reused after `pool.idle_timeout`.
final class PoolTests: XCTestCase {
    func testRequestBeyondMaxConnectionsGets503UntilTheSlowOnesFinish() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await ScriptedUpstream(name: "up", group: group) { _, line in line.hasPrefix("GET /slow") ? .hold : .respond }
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("u", ports: [up.port], extra: "    pool: { max_idle: 4, max_connections: 2 }\n")
                + "routes:\n  - { id: all, upstream: u }\n")
        let port = gw.port
        // Two slow requests take both connections the pool may open.
        let slow = (0..<2).map { i in
            Task { try await onThread { try RawClient(port: port).get("/slow\(i)").status } }
        }
        let ok1 = await eventually { up.heldCount == 2 }
        XCTAssertTrue(ok1, "both slow requests reached the upstream")
        let c = try gw.client()
        let start = ContinuousClock.now
        let refused = try c.get("/next")
        XCTAssertEqual(refused.status, 503, "the pool is full: the next request is refused, not queued")
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(200), "at once")
        XCTAssertFalse(up.seen.contains("GET /next"))
        XCTAssertEqual(up.connections.count, 2, "no third upstream connection was opened")
        up.releaseHeld()
        for task in slow {
            let status = try await task.value
            XCTAssertEqual(status, 200, "the slow requests complete")
        }
        for i in 0..<3 {
            XCTAssertEqual(try c.get("/later\(i)").status, 200, "with the slow ones done, requests succeed again")
        }
        XCTAssertEqual(up.connections.count, 2, "on the pooled connections")
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testHotSwapClosesRemovedUpstreamsConnectionsAndKeepsTheUnchangedOnes() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let kept = try await ScriptedUpstream(name: "kept", group: group)
        let removed = try await ScriptedUpstream(name: "removed", group: group) { _, line in line.contains("busy") ? .hold : .respond }
        let base = "upstreams:\n" + upstreamYAML("kept", ports: [kept.port])
        let before = base + upstreamYAML("removed", ports: [removed.port])
            + "routes:\n  - { id: kept, upstream: kept }\n  - { id: removed, match: { path_prefix: /removed }, upstream: removed }\n"
        let gw = try await GatewayHarness.start(yaml: before)
        // One connection to the removed upstream is busy during the swap, another one idle.
        let busy = try gw.client()
        try busy.send("GET /removed/busy HTTP/1.1\r\nHost: x\r\n\r\n")
        let ok2 = await eventually { removed.heldCount == 1 }
        XCTAssertTrue(ok2)
        let c = try gw.client()
        XCTAssertEqual(try c.get("/k").header("x-upstream"), "kept")
        XCTAssertEqual(try c.get("/removed/idle").header("x-upstream"), "removed")
        XCTAssertEqual(kept.connections.count, 1)
        XCTAssertEqual(removed.connections.count, 2)
        XCTAssertEqual(removed.openConnections, 2)

        try gw.apply(base + "routes:\n  - { id: kept, upstream: kept }\n")

        let ok3 = await eventually(within: .milliseconds(500)) { removed.openConnections == 1 }
        XCTAssertTrue(ok3,
                      "the removed upstream's idle connection is closed by the gateway at once")
        XCTAssertTrue(removed.connections[0].isActive, "the busy one is left to finish")
        removed.releaseHeld()
        let response = try busy.readResponse()
        XCTAssertEqual(response.status, 200, "the busy request finishes on its own snapshot")
        XCTAssertEqual(response.header("x-upstream"), "removed")
        let ok4 = await eventually { removed.openConnections == 0 }
        XCTAssertTrue(ok4,
                      "the busy connection closes once its exchange ended instead of going back to a pool")
        XCTAssertEqual(kept.openConnections, 1, "the unchanged upstream keeps its warm connection")
        XCTAssertEqual(try c.get("/k2").header("x-upstream"), "kept")
        XCTAssertEqual(kept.connections.count, 1, "and uses it after the swap")
        XCTAssertEqual(try c.get("/removed/x").header("x-upstream"), "kept", "the removed route is gone")
        XCTAssertEqual(removed.seen, ["GET /removed/busy", "GET /removed/idle"])
        await gw.stop()
        await kept.close()
        await removed.close()
        try await group.shutdownGracefully()
    }

    func testAConnectionIdleLongerThanTheIdleTimeoutIsNotReused() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await ScriptedUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("u", ports: [up.port], extra: "    pool: { idle_timeout: 300ms }\n")
                + "routes:\n  - { id: all, upstream: u }\n")
        let c = try gw.client()
        XCTAssertEqual(try c.get("/a").status, 200)
        XCTAssertEqual(try c.get("/b").status, 200)
        XCTAssertEqual(up.connections.count, 1, "reused while fresh")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(try c.get("/c").status, 200)
        XCTAssertEqual(up.connections.count, 2, "a new connection once the pooled one was idle for the idle timeout")
        let closed = await eventually { up.openConnections == 1 }
        XCTAssertTrue(closed, "the expired connection is closed by the gateway")
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }
}
