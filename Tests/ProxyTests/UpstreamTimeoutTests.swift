import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// Upstream deadlines: `timeouts.connect` (a target whose SYNs go unanswered) and
/// `timeouts.read` (a target that reads the request and never answers).
/// The gateway's own limits are the defaults: its connection ticks (once a second) quicken
/// for an upstream whose read timeout is shorter.
final class UpstreamTimeoutTests: XCTestCase {

    func testConnectTimeoutAnswers502AfterAboutTheConnectTimeout() async throws {
        let hole = try BlackholeListener()
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("hole", ports: [hole.port], extra: "    timeouts: { connect: 300ms }\n    retries: 0\n")
                + "routes:\n  - { id: all, upstream: hole }\n")
        let c = try gw.client(timeout: 4)
        let start = ContinuousClock.now
        let response = try c.get("/")
        let waited = ContinuousClock.now - start
        XCTAssertEqual(response.status, 502, "a connect failure (timeout included) answers 502")
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(280), "the connect was given its timeout")
        XCTAssertLessThan(waited, .milliseconds(900), "and not much more")
        XCTAssertEqual(try c.get("/again").status, 502, "the client connection stays usable")
        await gw.stop()
        withExtendedLifetime(hole) {}
    }

    func testConnectTimeoutIsRetriedOnAnotherTargetForAnyMethod() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let hole = try BlackholeListener()
        let good = try await ScriptedUpstream(name: "good", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML(
                "u", ports: [hole.port, good.port],
                extra: "    timeouts: { connect: 200ms }\n    retries: 1\n    passive_health: { max_failures: 100, cool_down: 1s }\n")
                + "routes:\n  - { id: all, upstream: u }\n")
        let c = try gw.client(timeout: 4)
        for i in 0..<2 {
            try c.send("POST /p\(i) HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200, "the request is retried on the target that accepts")
            XCTAssertEqual(r.header("x-upstream"), "good")
        }
        XCTAssertEqual(good.seen, ["POST /p0", "POST /p1"])
        await gw.stop()
        await good.close()
        try await group.shutdownGracefully()
        withExtendedLifetime(hole) {}
    }

    func testSilentUpstreamAnswers504AfterAboutTheReadTimeoutAndIsNotRetried() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let silent = try await ScriptedUpstream(name: "silent", group: group) { _, _ in .silent }
        let good = try await ScriptedUpstream(name: "good", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML(
                "u", ports: [silent.port, good.port],
                extra: "    timeouts: { read: 300ms }\n    retries: 1\n    passive_health: { max_failures: 100, cool_down: 1s }\n")
                + "routes:\n  - { id: all, upstream: u }\n")
        var timedOut = 0
        for i in 0..<4 {
            let c = try gw.client(timeout: 4)
            let start = ContinuousClock.now
            let r = try c.get("/t\(i)")
            let waited = ContinuousClock.now - start
            if silent.seen.contains("GET /t\(i)") {
                timedOut += 1
                XCTAssertEqual(r.status, 504, "no response head within timeouts.read")
                XCTAssertGreaterThanOrEqual(waited, .milliseconds(280))
                XCTAssertLessThan(waited, .milliseconds(900), "about at the read timeout")
                XCTAssertFalse(good.seen.contains("GET /t\(i)"), "a timed-out request is not retried")
            } else {
                XCTAssertEqual(r.status, 200)
                XCTAssertEqual(r.header("x-upstream"), "good")
            }
        }
        XCTAssertEqual(timedOut, 2, "round robin sent every other request to the silent target")
        let ok1 = await eventually { silent.openConnections == 0 }
        XCTAssertTrue(ok1, "the gateway closed its connections to the silent target")
        await gw.stop()
        await silent.close()
        await good.close()
        try await group.shutdownGracefully()
    }
}
