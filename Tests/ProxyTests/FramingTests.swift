import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// Malformed and ambiguous requests: answered with the right status and a close,
/// never forwarded, and without harming other connections.
final class FramingTests: XCTestCase {
    private func withGateway(
        limits: GatewayOptions.Limits = .init(maxHeaderBytes: 4096, maxBodyBytes: 1024),
        _ body: (GatewayHarness, RawUpstream) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawUpstream(group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("raw", ports: [upstream.port]) + "routes:\n  - { id: all, upstream: raw }\n",
            options: GatewayOptions(limits: limits))
        try await body(gw, upstream)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    private func expectRefused(_ gw: GatewayHarness, _ request: String, status: Int, line: UInt = #line) throws {
        let client = try gw.client()
        try client.send(request)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, status, "request: \(request.debugDescription)", line: line)
        XCTAssertTrue(client.isClosedByPeer(), "connection stays open after: \(request.debugDescription)", line: line)
    }

    func testAmbiguousAndMalformedRequestsAreRefusedAndNeverForwarded() async throws {
        try await withGateway { gw, upstream in
            let bystander = try gw.client()
            XCTAssertEqual(try bystander.get("/before").status, 200)
            let h = "Host: a.test\r\n"
            let cases: [(String, Int)] = [
                ("POST / HTTP/1.1\r\n\(h)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: 5, 5\r\n\r\nhello", 400),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: +5\r\n\r\nhello", 400),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: 0x5\r\n\r\nhello", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: gzip\r\n\r\nxx", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.0\r\n\(h)Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-Folded: a\r\n b\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-CR: a\rb\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-NUL: a\u{0}b\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-CTL: a\u{1}b\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)Bad Name: x\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-Space : x\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X(paren): x\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: -1\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: 99999999999999999999999\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: identity\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\nx\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\n 1\r\nx\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\n1;a\u{1}b\r\nx\r\n0\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\n1\nx\n0\n\n", 400),
                ("POST / HTTP/1.1\r\n\(h)Expect: bogus\r\nContent-Length: 1\r\n\r\nx", 417),
                ("GET / HTTP/1.1\nHost: a.test\n\n", 400),
                ("GET / HTTP/1.1\r\n\(h) X-Lead: b\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)NoColon\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-DEL: a\u{7F}b\r\n\r\n", 400),
                ("GET http://user@a.test/ HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET /a/%2e%2e/b HTTP/1.1\r\n\(h)\r\n", 400),
                ("CONNECT a.test:443 HTTP/1.1\r\n\(h)\r\n", 405),
                ("GET / HTTP/1.1\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\nHost: user@a.test\r\n\r\n", 400),
                ("GET / HTTP/1.1\r\nHost: a.test:80x\r\n\r\n", 400),
                ("GET / HTTP/1.1 x\r\n\(h)\r\n", 400),
                ("GET  / HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET /  HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET /a b HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET foo HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET /a#frag HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET /public/../admin HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET * HTTP/1.1\r\n\(h)\r\n", 400),
                ("G\u{1}T / HTTP/1.1\r\n\(h)\r\n", 400),
                ("GET / HTTP/2.0\r\n\(h)\r\n", 400),
                ("GET / HTTP/1.2\r\n\(h)\r\n", 400),
                ("GET / HTTP/1.1\r\n\(h)X-Big: \(String(repeating: "a", count: 8000))\r\n\r\n", 431),
                ("POST / HTTP/1.1\r\n\(h)Content-Length: 5000\r\n\r\n", 413),
            ]
            for (request, status) in cases { try expectRefused(gw, request, status: status) }
            XCTAssertEqual(try bystander.get("/after").status, 200, "other connections are unharmed")
            // Only the bystander's requests reached the upstream complete. A head with valid framing
            // is streamed before its body is read; when the chunked body then turns out malformed,
            // the upstream connection is closed before the body's last chunk, so that request never completes.
            let received = upstream.received
            let requestLines = received.components(separatedBy: "\r\n").filter { $0.hasSuffix(" HTTP/1.1") }
            XCTAssertEqual(requestLines.first, "GET /before HTTP/1.1")
            XCTAssertEqual(requestLines.last, "GET /after HTTP/1.1")
            XCTAssertTrue(requestLines.dropFirst().dropLast().allSatisfy { $0 == "POST / HTTP/1.1" }, "\(requestLines)")
            // Those heads are the chunked requests whose body broke later: each went up framed once, chunked.
            for head in received.components(separatedBy: "POST / HTTP/1.1\r\n").dropFirst() {
                let fields = head.components(separatedBy: "\r\n\r\n")[0].lowercased().components(separatedBy: "\r\n")
                XCTAssertEqual(fields.filter { $0.hasPrefix("transfer-encoding:") }, ["transfer-encoding: chunked"], "\(fields)")
                XCTAssertFalse(fields.contains { $0.hasPrefix("content-length:") }, "\(fields)")
            }
            XCTAssertFalse(received.contains("\r\n0\r\n\r\n"), "a malformed chunked body was completed upstream: \(received)")
        }
    }

    func testChunkedBodyOverTheLimitIs413() async throws {
        try await withGateway { gw, upstream in
            let client = try gw.client()
            let chunk = String(repeating: "z", count: 800)
            try client.send("POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 413)
            XCTAssertTrue(client.isClosedByPeer())
        }
    }

    func testSlowClientGets408AndOthersAreServed() async throws {
        try await withGateway(limits: .init(maxHeaderBytes: 4096, maxBodyBytes: 1024, idleTimeout: .seconds(5), readTimeout: .milliseconds(300))) { gw, upstream in
            let slow = try gw.client()
            try slow.send("GET / HTTP/1.1\r\nHost: a.")
            let other = try gw.client()
            XCTAssertEqual(try other.get("/").status, 200)
            let response = try slow.readResponse()
            XCTAssertEqual(response.status, 408)
            XCTAssertTrue(slow.isClosedByPeer())
        }
    }

    func testRequestsAreReframedForTheUpstream() async throws {
        try await withGateway { gw, upstream in
            let client = try gw.client()
            try client.send(
                "POST /up HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: drop-me\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: x\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\n\r\n"
                    + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
            let sent = upstream.received.lowercased()
            XCTAssertTrue(sent.hasPrefix("post /up http/1.1\r\n"), sent)
            XCTAssertTrue(sent.contains("transfer-encoding: chunked\r\n"), sent)
            XCTAssertFalse(sent.contains("ext=1"), "chunk extensions are not passed through")
            XCTAssertTrue(sent.contains("abc") && sent.contains("de"), sent)
            for gone in ["x-secret", "keep-alive", "te:", "upgrade", "proxy-connection", "connection:"] {
                XCTAssertFalse(sent.contains(gone), "\(gone) was forwarded: \(sent)")
            }
            XCTAssertTrue(sent.contains("x-forwarded-for: 10.0.0.1, 127.0.0.1\r\n"), sent)
            XCTAssertTrue(sent.contains("x-forwarded-proto: http\r\n"), sent)
            XCTAssertTrue(sent.contains("x-forwarded-host: a.test\r\n"), sent)
            XCTAssertTrue(sent.contains("via: 1.1 meshgate\r\n"), sent)
            XCTAssertTrue(sent.contains("x-request-id: "), sent)
        }
    }

    /// Every request line on a connection is held to the grammar, not only the first, however
    /// the previous request was framed (none, Content-Length, chunked with a trailer).
    func testEveryRequestLineOnAConnectionIsChecked() async throws {
        try await withGateway { gw, upstream in
            let h = "Host: a.test\r\n"
            let earlier = [
                "GET /1 HTTP/1.1\r\n\(h)\r\n",
                "POST /2 HTTP/1.1\r\n\(h)Content-Length: 5\r\n\r\nhello",
                "POST /3 HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
            ]
            for first in earlier {
                for bad in ["GET  /x HTTP/1.1", "GET /x  HTTP/1.1", "GET\t/x HTTP/1.1"] {
                    let client = try gw.client()
                    try client.send(first + bad + "\r\n\(h)\r\n")
                    XCTAssertEqual(try client.readResponse().status, 200, first.debugDescription)
                    XCTAssertEqual(try client.readResponse().status, 400, "\(bad.debugDescription) after \(first.debugDescription)")
                    XCTAssertTrue(client.isClosedByPeer())
                }
            }
            XCTAssertFalse(upstream.received.contains("/x"), "a malformed request line was forwarded")
        }
    }

    /// Any method token is forwarded as sent, on any request of a connection, even one the
    /// HTTP decoder does not know, and even when its request line arrives a byte at a time.
    func testExtensionMethodsAreForwardedAsSent() async throws {
        try await withGateway { gw, upstream in
            let h = "Host: a.test\r\n"
            let client = try gw.client()
            try client.send("POST /a HTTP/1.1\r\n\(h)Content-Length: 4\r\n\r\nBREWFOOBAR /b HTTP/1.1\r\n\(h)\r\n"
                + "get /c HTTP/1.1\r\n\(h)Content-Length: 2\r\n\r\nhiQUERY /d HTTP/1.1\r\n\(h)\r\n")
            for _ in 0..<4 { XCTAssertEqual(try client.readResponse().status, 200) }
            for byte in Array("BREW /e HTTP/1.1\r\n\(h)\r\n".utf8) { try client.send([byte]) }
            XCTAssertEqual(try client.readResponse().status, 200)
            let heads = upstream.received.components(separatedBy: "\r\n").filter { $0.hasSuffix(" HTTP/1.1") }
            XCTAssertEqual(heads, ["POST /a HTTP/1.1", "BREWFOOBAR /b HTTP/1.1", "get /c HTTP/1.1", "hiQUERY /d HTTP/1.1", "BREW /e HTTP/1.1"],
                           "bodies are followed by the next request line on the wire")
        }
    }

    func testHTTP10WithoutHostAndAbsoluteFormTargetsGetTheRightHostUpstream() async throws {
        try await withGateway { gw, upstream in
            let old = try gw.client()
            try old.send("GET /old HTTP/1.0\r\n\r\n")
            XCTAssertEqual(try old.readResponse().status, 200)
            XCTAssertTrue(upstream.received.lowercased().contains("host: 127.0.0.1:\(upstream.port)\r\n"), upstream.received)
            let absolute = try gw.client()
            try absolute.send("GET http://b.test:8080/abs HTTP/1.1\r\nHost: a.test\r\n\r\n")
            XCTAssertEqual(try absolute.readResponse().status, 200)
            let sent = upstream.received.lowercased()
            let head = sent[sent.range(of: "get /abs http/1.1\r\n")!.lowerBound...]
            XCTAssertTrue(head.contains("host: b.test:8080\r\n"), String(head))
            XCTAssertFalse(head.prefix { $0 != "x" }.contains("host: a.test"), String(head))
            XCTAssertTrue(head.contains("x-forwarded-host: b.test:8080\r\n"), String(head))
        }
    }

    /// Response fields are not re-validated on the way out (the decoder's strict parse is the
    /// check); a malformed one from the upstream must never reach the client.
    func testAnUpstreamResponseWithControlBytesInAFieldIsAnsweredBadGateway() async throws {
        for value in ["a\u{0}b", "a\u{1}b", "a\u{7F}b", "a\rb"] {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let upstream = try await RawUpstream(group: group, response: "HTTP/1.1 200 OK\r\nX-A: \(value)\r\ncontent-length: 2\r\n\r\nok")
            let gw = try await GatewayHarness.start(
                yaml: "upstreams:\n" + upstreamYAML("raw", ports: [upstream.port]) + "routes:\n  - { id: all, upstream: raw }\n")
            let response = try gw.client().get("/")
            XCTAssertEqual(response.status, 502, value.debugDescription)
            XCTAssertNil(response.header("x-a"), value.debugDescription)
            await gw.stop()
            await upstream.close()
            try await group.shutdownGracefully()
        }
    }
}
