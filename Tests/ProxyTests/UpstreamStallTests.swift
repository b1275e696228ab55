import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// The upstream read timeout measures the upstream's silence: mid-body it ends the
/// exchange (the client's connection closes, the response cannot be completed), while
/// time spent waiting on the client, for its body or for it to take the response, never counts.
final class UpstreamStallTests: XCTestCase {
    private func gateway(upstreamPort: Int, _ metrics: RecordingMetrics = RecordingMetrics()) async throws -> GatewayHarness {
        try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstreamPort], extra: "    timeouts: { read: 300ms }\n    retries: 0\n")
                + "routes:\n  - { id: all, upstream: up }\n",
            options: GatewayOptions(metricsFactory: metrics))
    }

    func testUpstreamSilentMidBodyClosesTheClientConnection() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawUpstream(group: group, response: "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
        let metrics = RecordingMetrics()
        let gw = try await gateway(upstreamPort: upstream.port, metrics)
        let c = try gw.client(timeout: 5)
        let start = Date()
        try c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { XCTFail("the client's connection was left open"); break }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        let elapsed = Date().timeIntervalSince(start)
        let text = String(decoding: received, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n0123456789"), "the bytes that came were passed on: \(text)")
        XCTAssertGreaterThanOrEqual(elapsed, 0.3)
        XCTAssertLessThan(elapsed, 0.9)
        XCTAssertEqual(metrics.counter("meshgate_upstream_errors_total", [("upstream", "up")]), 1)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    func testASlowClientBodyIsNotTheUpstreamsSilence() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(name: "up", group: group)
        let gw = try await gateway(upstreamPort: upstream.port)
        let c = try gw.client()
        try c.send("PUT /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234")
        try await Task.sleep(for: .milliseconds(1500))
        try c.send("56789")
        let response = try c.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "up PUT /slow 10")
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    func testAClientPausingItsDownloadIsNotTheUpstreamsSilence() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(name: "up", group: group)
        let gw = try await gateway(upstreamPort: upstream.port)
        let c = try gw.client(timeout: 10)
        let size = 64 << 20
        try c.send("GET /big HTTP/1.1\r\nHost: a\r\nx-download: \(size)\r\n\r\n")
        // Socket buffers fill, the gateway holds the upstream's reads; the upstream is not silent, the client is.
        try await Task.sleep(for: .milliseconds(1500))
        let response = try c.readResponse(discardBody: true)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try c.get("/after").status, 200, "the whole body came and the connection is reusable")
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }
}
