import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

final class ForwardingTests: XCTestCase {
    func testKeepAlivePipeliningAndRequestIDs() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n")
        let c = try gw.client()
        try c.send("GET /1 HTTP/1.1\r\nHost: a\r\nX-Request-Id: client-id-1\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /3 HTTP/1.1\r\nHost: a\r\n\r\n")
        let r1 = try c.readResponse()
        let r2 = try c.readResponse()
        let r3 = try c.readResponse(headRequest: true)
        XCTAssertEqual(r1.bodyText, "up GET /1 0")
        XCTAssertEqual(r2.bodyText, "up GET /2 0")
        XCTAssertEqual(r3.status, 200)
        XCTAssertEqual(r1.header("x-request-id"), "client-id-1", "a client's id is passed through")
        XCTAssertNotNil(r2.header("x-request-id"))
        XCTAssertNotEqual(r2.header("x-request-id"), r1.header("x-request-id"))
        XCTAssertEqual(up.requests[0].head.headers.first(name: "x-request-id"), "client-id-1")
        XCTAssertEqual(up.requests[1].head.headers.first(name: "x-request-id"), r2.header("x-request-id"))
        XCTAssertEqual(try c.get("/4").bodyText, "up GET /4 0", "the connection is still usable")
        try c.send("GET /5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let last = try c.readResponse()
        XCTAssertEqual(last.header("connection"), "close")
        XCTAssertTrue(c.isClosedByPeer())
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testExpectContinueAndUploadedBody() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n")
        let c = try gw.client()
        try c.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
        // The interim response arrives before any body byte is sent.
        var interim = [UInt8](repeating: 0, count: 25)
        let n = interim.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
        XCTAssertEqual(String(decoding: interim[0..<max(n, 0)], as: UTF8.self), "HTTP/1.1 100 Continue\r\n\r\n")
        try c.send("0123456789")
        let response = try c.readResponse()
        XCTAssertEqual(response.bodyText, "up PUT /upload 10")
        XCTAssertNil(up.requests[0].head.headers.first(name: "expect"))
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testHTTP10ExpectationsAreIgnored() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n")
        // RFC 9110 §10.1.1: an HTTP/1.0 client never waits for a 100, and gets none; nor a 417.
        for expect in ["100-continue", "something-else"] {
            let c = try gw.client()
            try c.send("PUT /upload HTTP/1.0\r\nHost: a\r\nContent-Length: 10\r\nExpect: \(expect)\r\n\r\n")
            try await Task.sleep(for: .milliseconds(100))
            var byte: UInt8 = 0
            XCTAssertEqual(recv(c.fd, &byte, 1, Int32(MSG_DONTWAIT)), -1, "the gateway answered before the body: \(expect)")
            try c.send("0123456789")
            let response = try c.readResponse()
            XCTAssertEqual(response.status, 200, expect)
            XCTAssertEqual(response.bodyText, "up PUT /upload 10", expect)
        }
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testLargeDownloadStreamsInBoundedMemory() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n")
        let c = try gw.client(timeout: 30)
        let size = 256 << 20
        let before = residentBytes()
        try c.send("GET /big HTTP/1.1\r\nHost: a\r\nx-download: \(size)\r\n\r\n")
        let response = try c.readResponse(discardBody: true)
        let grown = residentBytes() - before
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-length"), String(size))
        XCTAssertEqual(try c.get("/after").status, 200, "the whole body was read and the connection is reusable")
        // Upstream, gateway and client all live in this process; none may hold the body.
        XCTAssertLessThan(grown, 64 << 20, "memory grew by \(grown >> 20) MiB for a \(size >> 20) MiB body")
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testLargeUploadStreamsInBoundedMemory() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n",
            options: GatewayOptions(limits: .init(maxBodyBytes: 1 << 30)))
        let c = try gw.client(timeout: 30)
        let size = 256 << 20
        let chunk = [UInt8](repeating: UInt8(ascii: "u"), count: 1 << 20)
        let before = residentBytes()
        try c.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n")
        for _ in 0..<(size / chunk.count) { try c.send(chunk) }
        let response = try c.readResponse()
        let grown = residentBytes() - before
        XCTAssertEqual(response.bodyText, "up PUT /upload \(size)", "every byte reached the upstream")
        XCTAssertLessThan(grown, 64 << 20, "memory grew by \(grown >> 20) MiB for a \(size >> 20) MiB upload")
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testClientThatStopsReadingIsDisconnectedAndOthersAreServed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let limits = GatewayOptions.Limits(idleTimeout: .seconds(10), readTimeout: .seconds(10), writeTimeout: .milliseconds(300))
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n",
            options: GatewayOptions(limits: limits))
        let stalled = try gw.client(timeout: 10)
        try stalled.send("GET /big HTTP/1.1\r\nHost: a\r\nx-download: \(64 << 20)\r\n\r\n")
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(try gw.client().get("/other").status, 200)
        // What the kernel buffered arrives, then the end: the gateway gave up on this client.
        XCTAssertThrowsError(try stalled.readResponse(discardBody: true)) { error in
            guard case RawClient.Failure.closed = error else { return XCTFail("expected the gateway to close, got \(error)") }
        }
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    private func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testRealNginxUpstream() async throws {
        guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("nginx binary not installed")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try freePort()
        try """
            worker_processes 1; daemon off; pid \(dir.path)/nginx.pid; error_log \(dir.path)/logs/error.log;
            events { worker_connections 128; }
            http { access_log off; client_body_temp_path \(dir.path); proxy_temp_path \(dir.path);
              fastcgi_temp_path \(dir.path); uwsgi_temp_path \(dir.path); scgi_temp_path \(dir.path);
              server { listen 127.0.0.1:\(port);
                location / { return 200 "nginx:$request_method:$request_uri:$http_x_forwarded_for:$content_length"; } } }
            """.write(to: dir.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", dir.appendingPathComponent("nginx.conf").path, "-p", dir.path]
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? RawClient(port: port)) != nil
            if !ready { try await Task.sleep(for: .milliseconds(20)) }
        }
        XCTAssertTrue(ready, "nginx did not start")
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("ngx", ports: [port]) + "routes:\n  - { id: all, upstream: ngx }\n")
        let c = try gw.client()
        XCTAssertEqual(try c.get("/hello?x=1").bodyText, "nginx:GET:/hello?x=1:127.0.0.1:")
        try c.send("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n")
        let posted = try c.readResponse()
        XCTAssertEqual(posted.status, 200)
        XCTAssertTrue(posted.bodyText.hasPrefix("nginx:POST:/p:127.0.0.1:"), posted.bodyText)
        for i in 0..<50 { XCTAssertEqual(try c.get("/k\(i)").status, 200) }
        await gw.stop()
    }
}

func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
