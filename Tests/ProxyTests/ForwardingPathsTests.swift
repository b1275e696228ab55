import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// A route without policies forwards heads straight from the bytes that came in; one whose
/// policy edits the request and the response goes through the edited fields. Both must
/// forward the same, by the same rules.
final class ForwardingPathsTests: XCTestCase {
    private let routes = """
        routes:
          - { id: plain, match: { path_prefix: /plain }, upstream: raw }
          - id: edited
            match: { path_prefix: /edited }
            upstream: raw
            policies:
              - { type: headers, request: { set: { X-Edited: "yes" } }, response: { set: { X-Edited: "yes" } } }

        """

    /// A gateway with both routes in front of an upstream that answers every request with `response`.
    private func withGateway(response: String, closes: Bool = false,
                             _ body: (GatewayHarness, RawUpstream) throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawUpstream(group: group, response: response, closes: closes)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("raw", ports: [upstream.port]) + routes)
        try body(gw, upstream)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    /// The fields the upstream got for each request, lower-cased, without the ones that differ by design.
    private func forwarded(_ requests: [String]) async throws -> [Set<String>] {
        var heads: [Set<String>] = []
        try await withGateway(response: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok") { gw, upstream in
            for request in requests {
                let before = upstream.received.count
                let client = try gw.client()
                try client.send(request)
                XCTAssertEqual(try client.readResponse().status, 200, request)
                // The head of this request: from its request line (the last body's bytes may come first) to the empty line.
                let lines = String(upstream.received.dropFirst(before)).lowercased().components(separatedBy: "\r\n")
                let start = try XCTUnwrap(lines.firstIndex { $0.hasSuffix(" http/1.1") }, request)
                let head = lines[(start + 1)...].prefix { !$0.isEmpty }
                heads.append(Set(head.filter { !$0.hasPrefix("x-request-id:") && !$0.hasPrefix("x-edited:") }))
            }
        }
        return heads
    }

    func testBothPathsForwardTheSameFields() async throws {
        let shapes: [(String) -> String] = [
            { "GET \($0) HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\nVia: 1.0 edge\r\n"
                + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nX-Forwarded-Proto: gopher\r\nX-Keep:b\r\n\r\n" },
            { "POST \($0) HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n2\r\nab\r\n0\r\n\r\n" },
            { "PUT \($0) HTTP/1.1\r\nHost: a.test\r\nContent-Length: 2\r\nX-Request-Id: given\r\n\r\nab" },
            { "DELETE \($0) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" },
            { "PATCH http://b.test:8080\($0)?q=1 HTTP/1.1\r\nHost: a.test\r\n\r\n" },
        ]
        let heads = try await forwarded(shapes.flatMap { [$0("/plain/x"), $0("/edited/x")] })
        for index in stride(from: 0, to: heads.count, by: 2) {
            XCTAssertEqual(heads[index], heads[index + 1], "request shape \(index / 2)")
        }
        XCTAssertTrue(heads[0].isSuperset(of: [
            "host: a.test", "x-forwarded-for: 10.0.0.1, 10.0.0.2, 127.0.0.1", "via: 1.0 edge, 1.1 meshgate",
            "x-forwarded-proto: http", "x-forwarded-host: a.test", "x-keep: b",
        ]), "\(heads[0])")
        XCTAssertFalse(heads[0].contains { $0.hasPrefix("x-hop") || $0.hasPrefix("keep-alive") || $0.hasPrefix("connection") })
        XCTAssertTrue(heads[2].contains("transfer-encoding: chunked") && !heads[2].contains { $0.hasPrefix("expect") })
        XCTAssertTrue(heads[4].contains("content-length: 2"), "\(heads[4])")
        XCTAssertTrue(heads[6].contains { $0.hasPrefix("host: 127.0.0.1:") }, "\(heads[6])")
        XCTAssertFalse(heads[6].contains { $0.hasPrefix("content-length") }, "a DELETE without a body gets no length")
        XCTAssertTrue(heads[8].contains("host: b.test:8080") && heads[8].contains("x-forwarded-host: b.test:8080"))
        XCTAssertFalse(heads[8].contains("host: a.test"))
    }

    func testHopByHopFieldsAreDroppedViaIsExtendedAndTheRequestIDIsTheGateways() async throws {
        let response = "HTTP/1.1 200 OK\r\nConnection: X-Drop, keep-alive\r\nX-Drop: 1\r\nKeep-Alive: timeout=5\r\n"
            + "Via: 1.0 origin\r\nX-Request-Id: spoofed\r\nX-Keep:  k \r\nTE: trailers\r\ncontent-length: 2\r\n\r\nok"
        try await withGateway(response: response) { gw, _ in
            for path in ["/plain", "/edited"] {
                let client = try gw.client()
                let first = try client.get(path, headers: ["X-Request-Id": "mine"])
                XCTAssertEqual(first.status, 200, path)
                XCTAssertEqual(first.bodyText, "ok", path)
                XCTAssertEqual(first.header("x-keep"), "k", path)
                XCTAssertEqual(first.header("via"), "1.0 origin, 1.1 meshgate", path)
                XCTAssertEqual(first.header("x-request-id"), "mine", path)
                XCTAssertEqual(first.headers.filter { $0.0.lowercased() == "x-request-id" }.count, 1, path)
                for gone in ["x-drop", "keep-alive", "te", "connection", "transfer-encoding"] {
                    XCTAssertNil(first.header(gone), "\(gone) reached the client on \(path)")
                }
                XCTAssertEqual(first.header("x-edited"), path == "/edited" ? "yes" : nil)
                XCTAssertEqual(try client.get(path).status, 200, "the connection is kept on \(path)")
            }
        }
    }

    func testAChunkedResponseIsChunkedForHTTP11AndEndsWithTheConnectionForHTTP10() async throws {
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
        try await withGateway(response: response) { gw, _ in
            for path in ["/plain", "/edited"] {
                let modern = try gw.client()
                let chunked = try modern.get(path)
                XCTAssertEqual(chunked.header("transfer-encoding"), "chunked", path)
                XCTAssertNil(chunked.header("content-length"), path)
                XCTAssertEqual(chunked.bodyText, "abcde", path)
                XCTAssertEqual(try modern.get(path).bodyText, "abcde", "the connection is kept on \(path)")

                let old = try gw.client()
                try old.send("GET \(path) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let closing = try old.readResponse()
                XCTAssertNil(closing.header("transfer-encoding"), path)
                XCTAssertEqual(closing.header("connection"), "close", path)
                XCTAssertEqual(closing.bodyText, "abcde", path)
            }
        }
    }

    func testAResponseWithoutLengthIsChunkedToTheClientAndTheUpstreamConnectionNotReused() async throws {
        try await withGateway(response: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", closes: true) { gw, _ in
            for path in ["/plain", "/edited"] {
                let client = try gw.client()
                for _ in 0..<2 {
                    let response = try client.get(path)
                    XCTAssertEqual(response.header("transfer-encoding"), "chunked", path)
                    XCTAssertEqual(response.bodyText, "until the end", path)
                }
            }
        }
    }

    func testHTTP10ClientsGetKeepAliveWhenTheyAskAndTheLengthIsKnown() async throws {
        try await withGateway(response: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok") { gw, _ in
            for path in ["/plain", "/edited"] {
                let old = try gw.client()
                try old.send("GET \(path) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let first = try old.readResponse()
                XCTAssertTrue(first.headers.contains { $0.0.lowercased() == "connection" && $0.1 == "keep-alive" }, path)
                try old.send("GET \(path) HTTP/1.0\r\n\r\n")
                let second = try old.readResponse()
                XCTAssertEqual(second.header("connection"), "close", path)
                XCTAssertTrue(old.isClosedByPeer(), path)
            }
        }
    }

    func testFieldsBeyondTheSixtyFourthAreJudgedLikeTheFirst() async throws {
        let many = (0..<70).map { "X-F\($0): \($0)\r\n" }.joined()
        let response = "HTTP/1.1 200 OK\r\n\(many)Connection: X-F66\r\nTE: x\r\nX-Request-Id: spoofed\r\ncontent-length: 2\r\n\r\nok"
        try await withGateway(response: response) { gw, _ in
            for path in ["/plain", "/edited"] {
                let got = try gw.client().get(path)
                let forwarded = got.headers.filter { $0.0.hasPrefix("X-F") }.map(\.0)
                XCTAssertEqual(forwarded, (0..<70).filter { $0 != 66 }.map { "X-F\($0)" }, path)
                XCTAssertNil(got.header("te"), path)
                XCTAssertNotEqual(got.header("x-request-id"), "spoofed", path)
                XCTAssertEqual(got.bodyText, "ok", path)
            }
        }
    }

    /// An interim response goes on to an HTTP/1.1 client before the final one, without its
    /// hop-by-hop fields and without lending them to the final head; an HTTP/1.0 client and a
    /// cached response never see it.
    func testEarlyHintsGoOnToTheClientBeforeTheResponse() async throws {
        let response = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nConnection: X-Hop\r\nX-Hop: 1\r\n\r\n"
            + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        try await withGateway(response: response) { gw, _ in
            for path in ["/plain", "/edited"] {
                let client = try gw.client()
                let final = try client.get(path)
                XCTAssertEqual(final.status, 200, path)
                XCTAssertEqual(final.bodyText, "ok")
                XCTAssertEqual(final.interim.map(\.status), [103], path)
                let hints = try XCTUnwrap(final.interim.first).headers
                XCTAssertEqual(hints.first { $0.0.lowercased() == "link" }?.1, "</a.css>; rel=preload")
                XCTAssertNil(hints.first { $0.0.lowercased() == "x-hop" }, "hop-by-hop fields stay behind")
                XCTAssertNil(final.header("link"), "the final head does not reuse the interim's fields")
                XCTAssertEqual(try client.get(path).status, 200, "the connection serves on")
                let old = try gw.client()
                try old.send("GET \(path) HTTP/1.0\r\n\r\n")
                XCTAssertEqual(try old.readResponse().interim.count, 0, "HTTP/1.0 has no interim responses")
            }
        }
    }
}
