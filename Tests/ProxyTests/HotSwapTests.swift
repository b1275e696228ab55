import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import XCTest

@testable import Proxy

final class HotSwapTests: XCTestCase {
    func testSwapsUnderConcurrentLoadLoseNothing() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let b = try await TestUpstream(name: "b", group: group)
        let base = "upstreams:\n" + upstreamYAML("a", ports: [a.port]) + upstreamYAML("b", ports: [b.port])
        let toA = base + "routes:\n  - { id: all, upstream: a }\n"
        let toB = base + "routes:\n  - { id: all, upstream: b }\n  - { id: extra, match: { path: /extra }, upstream: a }\n"
        let gw = try await GatewayHarness.start(yaml: toA, threads: 2)
        let failures = Mutex<[String]>([])
        let served = Mutex<Int>(0)
        let stop = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            // Plain threads: blocking clients must not starve the test's own executor.
            Thread {
                defer { finished.signal() }
                do {
                    let c = try RawClient(port: gw.port)
                    while !stop.load(ordering: .relaxed) {
                        let r = try c.get("/load")
                        let upstream = r.header("x-upstream") ?? "-"
                        if r.status != 200 || !(upstream == "a" || upstream == "b") {
                            failures.withLock { $0.append("\(r.status) \(upstream)") }
                        }
                        served.withLock { $0 += 1 }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        for i in 0...20 {
            try gw.apply(i % 2 == 0 ? toB : toA)
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertThrowsError(try gw.apply("routes:\n  - { id: broken, upstream: nowhere }\n"))
        try await Task.sleep(for: .milliseconds(100))
        stop.store(true, ordering: .relaxed)
        for _ in 0..<8 { finished.wait() }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertGreaterThan(served.withLock { $0 }, 100)
        XCTAssertEqual(try gw.client().get("/load").header("x-upstream"), "b", "the refused config changed nothing")
        await gw.stop()
        await a.close()
        await b.close()
        try await group.shutdownGracefully()
    }

    func testRequestKeepsItsSnapshotAndDrainFinishesIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let b = try await TestUpstream(name: "b", group: group)
        let base = "upstreams:\n" + upstreamYAML("a", ports: [a.port]) + upstreamYAML("b", ports: [b.port])
        let gw = try await GatewayHarness.start(yaml: base + "routes:\n  - { id: all, upstream: a }\n")
        let slow = try gw.client()
        try slow.send("GET /slow HTTP/1.1\r\nHost: x\r\nx-delay-ms: 300\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        try gw.apply(base + "routes:\n  - { id: all, upstream: b }\n")
        XCTAssertEqual(try gw.client().get("/new").header("x-upstream"), "b")
        let idle = try gw.client()
        XCTAssertEqual(try idle.get("/warm").status, 200)
        let started = ContinuousClock.now
        async let drained: Void = gw.gateway.drain(timeout: .seconds(5))
        let response = try slow.readResponse()
        await drained
        XCTAssertEqual(response.header("x-upstream"), "a", "the in-flight request finished on its own snapshot")
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(idle.isClosedByPeer(), "idle connections are closed by the drain")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
        XCTAssertThrowsError(try RawClient(port: gw.port), "no new connections after drain")
        XCTAssertEqual(gw.gateway.openConnections, 0)
        await a.close()
        await b.close()
        try await group.shutdownGracefully()
        try await gw.group.shutdownGracefully()
    }

    func testDrainClosesWhatIsStillInFlightAtItsBound() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("a", ports: [a.port]) + "routes:\n  - { id: all, upstream: a }\n")
        let stuck = try gw.client()
        try stuck.send("GET /stuck HTTP/1.1\r\nHost: x\r\nx-delay-ms: 10000\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        await gw.gateway.drain(timeout: .milliseconds(300))
        let took = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(took, .milliseconds(300), "the drain waited for the request in flight")
        XCTAssertLessThan(took, .seconds(2), "and no longer than its bound")
        XCTAssertThrowsError(try stuck.readResponse(), "the unfinished request's connection was closed")
        let allClosed = await eventually(within: .milliseconds(500)) { gw.gateway.openConnections == 0 }
        XCTAssertTrue(allClosed)
        await a.close()
        try await group.shutdownGracefully()
        try await gw.group.shutdownGracefully()
    }

    func testUnchangedUpstreamKeepsItsWarmPool() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let yaml = "upstreams:\n" + upstreamYAML("a", ports: [a.port]) + "routes:\n  - { id: all, upstream: a }\n"
        let gw = try await GatewayHarness.start(yaml: yaml)
        let c = try gw.client()
        XCTAssertEqual(try c.get("/1").status, 200)
        let before = gw.gateway.snapshot.upstreams["a"]!.targets[0]
        try gw.apply(yaml + "  - { id: more, match: { path: /more }, upstream: a }\n")
        XCTAssertTrue(gw.gateway.snapshot.upstreams["a"]!.targets[0] === before, "the target (and its pool) is reused")
        XCTAssertEqual(try c.get("/2").status, 200)
        XCTAssertEqual(a.children.count, 1, "one upstream connection served both requests across the swap")
        await gw.stop()
        await a.close()
        try await group.shutdownGracefully()
    }

    /// A large config changed in one place compiles that place: the routes and upstreams that
    /// did not change are the same compiled objects, and a route is rebuilt when its upstream is.
    func testAConfigChangeRebuildsOnlyWhatItChanged() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let b1 = try await TestUpstream(name: "b1", group: group)
        let b2 = try await TestUpstream(name: "b2", group: group)
        func yaml(bPort: Int, r3Path: String) -> String {
            "upstreams:\n" + upstreamYAML("a", ports: [a.port]) + upstreamYAML("b", ports: [bPort]) + """
            routes:
              - { id: r1, match: { path_prefix: /one }, upstream: a }
              - { id: r2, match: { path_prefix: /two }, upstream: b }
              - { id: r3, match: { path_prefix: \(r3Path) }, upstream: a }

            """
        }
        let gw = try await GatewayHarness.start(yaml: yaml(bPort: b1.port, r3Path: "/three"))
        let before = gw.gateway.snapshot
        try gw.apply(yaml(bPort: b2.port, r3Path: "/drei"))
        let after = gw.gateway.snapshot
        XCTAssertTrue(after.routes["r1"] === before.routes["r1"], "unchanged: kept")
        XCTAssertTrue(after.upstreams["a"] === before.upstreams["a"], "unchanged: kept")
        XCTAssertFalse(after.upstreams["b"] === before.upstreams["b"], "new target")
        XCTAssertFalse(after.routes["r2"] === before.routes["r2"], "its upstream was rebuilt")
        XCTAssertFalse(after.routes["r3"] === before.routes["r3"], "its match changed")
        let c = try gw.client()
        XCTAssertEqual(try c.get("/one").header("x-upstream"), "a")
        XCTAssertEqual(try c.get("/two").header("x-upstream"), "b2")
        XCTAssertEqual(try c.get("/drei").header("x-upstream"), "a")
        XCTAssertEqual(try c.get("/three").status, 404)
        await gw.stop()
        for upstream in [a, b1, b2] { await upstream.close() }
        try await group.shutdownGracefully()
    }

    /// The route trie holds positions: a config whose routes match alike keeps it, and the
    /// route at each position is the new config's, so a reorder of equal matches changes
    /// which one wins the tie, as declared order says.
    func testRoutesThatMatchAlikeFollowTheNewOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a = try await TestUpstream(name: "a", group: group)
        let b = try await TestUpstream(name: "b", group: group)
        let upstreams = "upstreams:\n" + upstreamYAML("a", ports: [a.port]) + upstreamYAML("b", ports: [b.port])
        let first = upstreams + "routes:\n  - { id: ra, match: { path_prefix: /x }, upstream: a }\n  - { id: rb, match: { path_prefix: /x }, upstream: b }\n"
        let second = upstreams + "routes:\n  - { id: rb, match: { path_prefix: /x }, upstream: b }\n  - { id: ra, match: { path_prefix: /x }, upstream: a }\n"
        let gw = try await GatewayHarness.start(yaml: first)
        let c = try gw.client()
        XCTAssertEqual(try c.get("/x/1").header("x-upstream"), "a")
        try gw.apply(second)
        XCTAssertEqual(try c.get("/x/1").header("x-upstream"), "b", "the first declared wins the tie")
        try gw.apply(first)
        XCTAssertEqual(try c.get("/x/1").header("x-upstream"), "a")
        await gw.stop()
        await a.close()
        await b.close()
        try await group.shutdownGracefully()
    }
}
