import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// A route without policies sends the client's head upstream straight from its bytes;
/// one with policies builds it from the head they edited. Both must forward the same.
final class RequestForwardingTests: XCTestCase {
    private let routes = """
        routes:
          - { id: plain, match: { path_prefix: /plain }, upstream: raw }
          - id: edited
            match: { path_prefix: /edited }
            upstream: raw
            policies:
              - { type: headers, request: { set: { X-Edited: "yes" } } }

        """

    /// The fields the upstream got for each request, lower-cased, without the ones that differ by design.
    private func forwarded(_ requests: [String]) async throws -> [Set<String>] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawUpstream(group: group, response: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("raw", ports: [upstream.port]) + routes)
        var heads: [Set<String>] = []
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
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
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
}
