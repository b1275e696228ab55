import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// Client-side deadlines: an idle keep-alive connection is closed after `limits.idleTimeout`;
/// a request body that stops arriving for `limits.readTimeout` gets 408 and a close.
final class TimeoutTests: XCTestCase {
    private func withGateway(
        limits: GatewayOptions.Limits, _ body: (GatewayHarness, TestUpstream) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstream.port]) + "routes:\n  - { id: all, upstream: up }\n",
            options: GatewayOptions(limits: limits))
        try await body(gw, upstream)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    func testIdleKeepAliveConnectionIsClosedButABusyOneIsNot() async throws {
        let idle = TimeAmount.milliseconds(300)
        try await withGateway(limits: .init(idleTimeout: idle, readTimeout: .seconds(5), writeTimeout: .seconds(5))) { gw, _ in
            let quiet = try gw.client()
            XCTAssertEqual(try quiet.get("/once").status, 200)
            let silentFromStart = try gw.client()
            let busy = try gw.client()
            let start = ContinuousClock.now
            // The busy client sends a request every 100 ms for 3 idle timeouts; none may fail.
            var busyOK = 0
            while ContinuousClock.now - start < .milliseconds(900) {
                if (try? busy.get("/tick").status) == 200 { busyOK += 1 }
                try await Task.sleep(for: .milliseconds(100))
            }
            XCTAssertGreaterThanOrEqual(busyOK, 7, "a connection that keeps sending requests is served throughout")
            XCTAssertEqual(try busy.get("/still-open").status, 200, "the busy connection is still open after 3 idle timeouts")
            // The quiet ones must have been closed by now (idle 300 ms + at most one 75 ms tick).
            let closedAt = ContinuousClock.now
            XCTAssertTrue(quiet.isClosedByPeer(), "an idle keep-alive connection is closed after the idle timeout")
            XCTAssertTrue(silentFromStart.isClosedByPeer(), "a connection that never sent a request is closed too")
            XCTAssertLessThan(ContinuousClock.now - closedAt, .milliseconds(100), "EOF was already there, not waited for")
        }
    }

    func testIdleConnectionIsNotClosedBeforeTheIdleTimeout() async throws {
        try await withGateway(limits: .init(idleTimeout: .milliseconds(600), readTimeout: .seconds(5), writeTimeout: .seconds(5))) { gw, _ in
            let c = try gw.client(timeout: 2)
            XCTAssertEqual(try c.get("/a").status, 200)
            try await Task.sleep(for: .milliseconds(300))
            XCTAssertEqual(try c.get("/b").status, 200, "half an idle timeout of silence keeps the connection")
            let quietSince = ContinuousClock.now
            XCTAssertTrue(c.isClosedByPeer(), "closed after the idle timeout")
            let waited = ContinuousClock.now - quietSince
            XCTAssertGreaterThanOrEqual(waited, .milliseconds(550), "closed no earlier than the idle timeout")
            XCTAssertLessThan(waited, .milliseconds(1200), "closed about when the idle timeout ran out")
        }
    }

    func testStalledBodyGets408AndCloseWhileAnotherConnectionIsServed() async throws {
        let read = TimeAmount.milliseconds(300)
        try await withGateway(limits: .init(idleTimeout: .seconds(5), readTimeout: read, writeTimeout: .seconds(5))) { gw, upstream in
            let stalled = try gw.client(timeout: 3)
            try stalled.send("POST /upload HTTP/1.1\r\nHost: a.test\r\nContent-Length: 10\r\n\r\nabc")
            let start = ContinuousClock.now
            // Meanwhile another connection is served normally, several times over the stall.
            let other = try gw.client()
            for i in 0..<5 {
                XCTAssertEqual(try other.get("/other\(i)").status, 200)
                try await Task.sleep(for: .milliseconds(40))
            }
            let response = try stalled.readResponse()
            let waited = ContinuousClock.now - start
            XCTAssertEqual(response.status, 408)
            XCTAssertEqual(response.header("connection")?.lowercased(), "close")
            XCTAssertTrue(stalled.isClosedByPeer(), "the connection closes after the 408")
            XCTAssertGreaterThanOrEqual(waited, .milliseconds(250), "not before the read timeout")
            XCTAssertLessThan(waited, .milliseconds(1000), "about at the read timeout")
            XCTAssertEqual(try other.get("/after").status, 200, "the other connection is unharmed")
            XCTAssertFalse(upstream.requests.contains { $0.head.uri == "/upload" }, "the incomplete body never completed upstream")
        }
    }

    func testBodyThatKeepsFlowingSlowerThanTheTimeoutInTotalIsServed() async throws {
        // The read timeout judges gaps, not the whole body: 6 gaps of 120 ms (720 ms total) with a 300 ms timeout.
        try await withGateway(limits: .init(idleTimeout: .seconds(5), readTimeout: .milliseconds(300), writeTimeout: .seconds(5))) { gw, upstream in
            let c = try gw.client(timeout: 3)
            try c.send("POST /trickle HTTP/1.1\r\nHost: a.test\r\nContent-Length: 6\r\n\r\n")
            for byte in "abcdef" {
                try await Task.sleep(for: .milliseconds(120))
                try c.send(String(byte))
            }
            let response = try c.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.bodyText, "up POST /trickle 6")
        }
    }
}
