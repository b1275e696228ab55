import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// What the client gets of an upstream's response head and framing, on a route whose
/// responses go out as the upstream's bytes and on one whose policy edits them.
final class ResponseForwardingTests: XCTestCase {
    private let routes = """
        routes:
          - { id: plain, match: { path_prefix: /plain }, upstream: raw }
          - id: edited
            match: { path_prefix: /edited }
            upstream: raw
            policies:
              - { type: headers, response: { set: { X-Edited: "yes" } } }

        """

    private func withGateway(response: String, closes: Bool = false, _ body: (GatewayHarness) throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawUpstream(group: group, response: response, closes: closes)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("raw", ports: [upstream.port]) + routes)
        try body(gw)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    func testHopByHopFieldsAreDroppedViaIsExtendedAndTheRequestIDIsTheGateways() async throws {
        let response = "HTTP/1.1 200 OK\r\nConnection: X-Drop, keep-alive\r\nX-Drop: 1\r\nKeep-Alive: timeout=5\r\n"
            + "Via: 1.0 origin\r\nX-Request-Id: spoofed\r\nX-Keep:  k \r\nTE: trailers\r\ncontent-length: 2\r\n\r\nok"
        try await withGateway(response: response) { gw in
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
        try await withGateway(response: response) { gw in
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
        try await withGateway(response: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", closes: true) { gw in
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
        try await withGateway(response: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok") { gw in
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
        try await withGateway(response: response) { gw in
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
}
