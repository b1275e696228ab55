import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// A target that takes a request and then closes or resets the connection without answering:
/// idempotent requests move to another target, others get 502 and reach no second upstream.
/// And passive health: a target ejected after consecutive failures returns after its cool-down.
final class UpstreamFailureTests: XCTestCase {
    private let failingUpstream = "    retries: 1\n    passive_health: { max_failures: 100, cool_down: 1s }\n"

    /// For each way of dropping the request (FIN, RST): GETs are retried on the good target and
    /// succeed; POSTs are not (502), and only the failing target saw them.
    func testIdempotentRequestIsRetriedAfterAResetAndAPostIsNot() async throws {
        for action in [ScriptedUpstream.Action.close, .reset] {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let dropper = try await ScriptedUpstream(name: "dropper", group: group) { _, _ in action }
            let good = try await ScriptedUpstream(name: "good", group: group)
            let gw = try await GatewayHarness.start(
                yaml: "upstreams:\n" + upstreamYAML("u", ports: [dropper.port, good.port], extra: failingUpstream)
                    + "routes:\n  - { id: all, upstream: u }\n")
            let c = try gw.client()
            for i in 0..<4 {
                let r = try c.get("/get\(i)")
                XCTAssertEqual(r.status, 200, "GET \(i) after \(action)")
                XCTAssertEqual(r.header("x-upstream"), "good")
                XCTAssertTrue(good.seen.contains("GET /get\(i)"))
            }
            XCTAssertGreaterThanOrEqual(dropper.seen.filter { $0.hasPrefix("GET") }.count, 2,
                                        "the dropping target did receive GETs (\(action)): \(dropper.seen)")
            for i in 0..<4 {
                try c.send("POST /post\(i) HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
                let r = try c.readResponse()
                let atDropper = dropper.seen.filter { $0 == "POST /post\(i)" }.count
                let atGood = good.seen.filter { $0 == "POST /post\(i)" }.count
                XCTAssertEqual(atDropper + atGood, 1, "POST \(i) reached exactly one upstream (\(action))")
                XCTAssertEqual(r.status, atDropper == 1 ? 502 : 200, "POST \(i) (\(action))")
            }
            XCTAssertGreaterThanOrEqual(dropper.seen.filter { $0.hasPrefix("POST") }.count, 1, "some POST went to the dropping target")
            await gw.stop()
            await dropper.close()
            await good.close()
            try await group.shutdownGracefully()
        }
    }

    /// On a reused keep-alive connection the upstream answers the connection's first request,
    /// then reads the next and closes without answering. The gateway cannot tell that from a
    /// connection closed while idle, but the request *was* delivered: a GET is sent again on
    /// a new connection, a POST is not (502), so the upstream never acts on it twice.
    func testOnAReusedConnectionTheUpstreamDropsAGetIsRetriedAndAPostIsNot() async throws {
        for (request, status, deliveries) in [("GET /again HTTP/1.1\r\nHost: a\r\n\r\n", 200, 2),
                                              ("POST /pay HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", 502, 1)] {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let up = try await ScriptedUpstream(name: "up", group: group) { index, _ in index == 0 ? .respond : .close }
            let gw = try await GatewayHarness.start(
                yaml: "upstreams:\n" + upstreamYAML("u", ports: [up.port], extra: failingUpstream)
                    + "routes:\n  - { id: all, upstream: u }\n")
            let c = try gw.client()
            XCTAssertEqual(try c.get("/warm").status, 200, "leaves one warm keep-alive connection in the pool")
            try c.send(request)
            let line = String(request.prefix { $0 != " " }) + " " + (request.split(separator: " ")[1])
            XCTAssertEqual(try c.readResponse().status, status, line)
            XCTAssertEqual(up.seen.filter { $0 == line }.count, deliveries, line)
            await gw.stop()
            await up.close()
            try await group.shutdownGracefully()
        }
    }

    func testEjectedTargetReturnsToRotationAfterItsCoolDown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stable = try await TestUpstream(name: "stable", group: group)
        let flakyPort = try freePort()
        let coolDown = Duration.milliseconds(700)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML(
                "u", ports: [stable.port, flakyPort], extra: "    retries: 1\n    passive_health: { max_failures: 2, cool_down: 700ms }\n")
                + "routes:\n  - { id: all, upstream: u }\n")
        let c = try gw.client()
        // Nothing listens on the flaky port: every other request fails to connect there and is
        // retried on the stable target; the second failure in a row ejects it.
        for i in 0..<4 {
            let r = try c.get("/eject\(i)")
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.header("x-upstream"), "stable")
        }
        let ejectedAround = ContinuousClock.now
        // The target comes back at once, but it is ejected: it gets nothing during the cool-down.
        let flaky = try await TestUpstream(name: "flaky", group: group, port: flakyPort)
        var during: [String: Int] = [:]
        for i in 0..<10 { during[try c.get("/during\(i)").header("x-upstream") ?? "-", default: 0] += 1 }
        XCTAssertLessThan(ContinuousClock.now - ejectedAround, coolDown, "the check ran inside the cool-down")
        XCTAssertEqual(during, ["stable": 10], "an ejected target is skipped during its cool-down")
        XCTAssertEqual(flaky.count, 0)
        // After the cool-down it is back in the round robin.
        try await Task.sleep(until: ejectedAround + coolDown + .milliseconds(100))
        var after: [String: Int] = [:]
        for i in 0..<10 {
            let r = try c.get("/after\(i)")
            XCTAssertEqual(r.status, 200)
            after[r.header("x-upstream") ?? "-", default: 0] += 1
        }
        XCTAssertEqual(after, ["stable": 5, "flaky": 5], "after its cool-down the target is back in rotation")
        await gw.stop()
        await stable.close()
        await flaky.close()
        try await group.shutdownGracefully()
    }
}
