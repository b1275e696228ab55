import NIOCore
import NIOPosix
import XCTest

@testable import Proxy

/// Two request-smuggling holes: the number of header fields is limited (431 for a request,
/// 502 for an upstream's response), and a field whose name holds `_` never reaches the
/// upstream as something an origin mapping `_` to `-` would read as a framing field.
final class HeaderFieldTests: XCTestCase {
    private func withGateway(
        options: GatewayOptions = GatewayOptions(), response: String = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nraw",
        routes: String = "  - { id: all, upstream: raw }\n", _ body: (GatewayHarness, RawUpstream) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawUpstream(group: group, response: response)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("raw", ports: [upstream.port]) + "routes:\n" + routes, options: options)
        try await body(gw, upstream)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    /// A GET whose head has `fields` field lines, Host among them.
    private func request(_ path: String, fields: Int) -> String {
        "GET \(path) HTTP/1.1\r\nHost: a.test\r\n" + (1..<fields).map { "X-Field-\($0): v\r\n" }.joined() + "\r\n"
    }

    func testARequestWithMoreThan100FieldsGets431AndACloseAnd100Pass() async throws {
        try await withGateway { gw, upstream in
            let client = try gw.client()
            try client.send(request("/hundred", fields: 100))
            XCTAssertEqual(try client.readResponse().status, 200)
            XCTAssertTrue(upstream.received.contains("X-Field-99: v\r\n"), "the 100th field was not forwarded")

            let refused = try gw.client()
            try refused.send(request("/hundred-and-one", fields: 101))
            let response = try refused.readResponse()
            XCTAssertEqual(response.status, 431)
            XCTAssertEqual(response.header("connection"), "close")
            XCTAssertTrue(refused.isClosedByPeer(), "the connection stays open after a 431")
            XCTAssertFalse(upstream.received.contains("/hundred-and-one"), "the refused request was forwarded")

            // 2,000 small fields, as the robustness suite sent them.
            let flood = try gw.client()
            try flood.send(request("/flood", fields: 2000))
            XCTAssertEqual(try flood.readResponse().status, 431)
            XCTAssertFalse(upstream.received.contains("/flood"))
        }
    }

    func testTheLimitComesFromTheOptions() async throws {
        try await withGateway(options: GatewayOptions(limits: .init(maxHeaderFields: 5))) { gw, _ in
            let client = try gw.client()
            try client.send(request("/five", fields: 5))
            XCTAssertEqual(try client.readResponse().status, 200)
            let refused = try gw.client()
            try refused.send(request("/six", fields: 6))
            XCTAssertEqual(try refused.readResponse().status, 431)
        }
    }

    func testAnUpstreamResponseWithMoreFieldsThanTheLimitIs502() async throws {
        func response(fields: Int) -> String {
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n" + (1..<fields).map { "x-up-\($0): v\r\n" }.joined() + "\r\nok"
        }
        try await withGateway(response: response(fields: 100)) { gw, _ in
            let answer = try gw.client().get("/")
            XCTAssertEqual(answer.status, 200)
            XCTAssertEqual(answer.header("x-up-99"), "v")
        }
        try await withGateway(response: response(fields: 101)) { gw, _ in
            let answer = try gw.client().get("/")
            XCTAssertEqual(answer.status, 502)
            XCTAssertNil(answer.header("x-up-1"))
        }
    }

    /// `Transfer_Encoding: chunked` beside a `Content-Length`: the gateway frames by the
    /// length, and the upstream's bytes hold no underscored name at all.
    func testUnderscoredNamesNeverReachTheUpstreamByDefaultAndAreCounted() async throws {
        let metrics = RecordingMetrics()
        try await withGateway(options: GatewayOptions(metricsFactory: metrics)) { gw, upstream in
            let client = try gw.client()
            try client.send(
                "POST /smuggle HTTP/1.1\r\nHost: a.test\r\nTransfer_Encoding: chunked\r\nContent-Length: 5\r\n"
                    + "X_User: admin\r\nX-Kept: yes\r\n\r\n0\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
            let sent = upstream.received.lowercased()
            XCTAssertFalse(sent.contains("_"), "an underscored name reached the upstream: \(sent)")
            XCTAssertTrue(sent.contains("content-length: 5\r\n"), sent)
            XCTAssertFalse(sent.contains("transfer-encoding"), sent)
            XCTAssertTrue(sent.contains("x-kept: yes\r\n"), sent)
            XCTAssertTrue(sent.hasSuffix("\r\n\r\n0\r\n\r\n"), "the body went up as five bytes: \(sent)")
            XCTAssertEqual(metrics.counter("meshgate_gateway_underscored_fields_dropped_total", []), 2)
        }
    }

    func testKeptUnderscoredNamesStillNeverReadAsFramingOrHopByHopFields() async throws {
        let metrics = RecordingMetrics()
        let options = GatewayOptions(underscoredFields: .kept, metricsFactory: metrics)
        try await withGateway(options: options) { gw, upstream in
            let client = try gw.client()
            try client.send(
                "POST /kept HTTP/1.1\r\nHost: a.test\r\nTransfer_Encoding: chunked\r\nCONTENT_LENGTH: 9\r\nhost_: b\r\n"
                    + "Connection: x-secret\r\nX_Secret: s\r\nKeep_Alive: 1\r\nProxy_Connection: x\r\nX_Forwarded_For: 6.6.6.6\r\n"
                    + "X_User: admin\r\nContent-Length: 5\r\n\r\nhello")
            XCTAssertEqual(try client.readResponse().status, 200)
            let sent = upstream.received
            XCTAssertTrue(sent.contains("X_User: admin\r\n"), "the switch keeps other underscored names: \(sent)")
            XCTAssertTrue(sent.contains("host_: b\r\n"), sent)
            for gone in ["Transfer_Encoding", "CONTENT_LENGTH", "X_Secret", "Keep_Alive", "Proxy_Connection", "X_Forwarded_For", "6.6.6.6"] {
                XCTAssertFalse(sent.contains(gone), "\(gone) reached the upstream: \(sent)")
            }
            XCTAssertTrue(sent.hasSuffix("\r\n\r\nhello"), sent)
            XCTAssertEqual(metrics.counter("meshgate_gateway_underscored_fields_dropped_total", []), 6)
        }
    }

    /// The request line and field lines the upstream received for the request to `path`.
    private func forwarded(_ path: String, in received: String) -> String {
        guard let start = received.range(of: "GET \(path) ") else { return "" }
        let rest = received[start.lowerBound...]
        return String(rest[..<(rest.range(of: "\r\n\r\n")?.upperBound ?? rest.endIndex)])
    }

    /// A request with underscored fields, one a framing look-alike, between ordinary ones.
    private func underscored(_ path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: a.test\r\nX_User: admin\r\nTransfer_Encoding: chunked\r\nX-Mid: m\r\n"
            + "Content_Length: 3\r\nZ_Last: z\r\n\r\n"
    }

    func testARouteThatKeepsUnderscoredFieldsForwardsThemInOrderAndNoOtherRouteDoes() async throws {
        let metrics = RecordingMetrics()
        let routes = """
              - { id: keeps, match: { path_prefix: /keeps }, upstream: raw, underscores_in_headers: true }
              - id: renames
                match: { path_prefix: /renames }
                upstream: raw
                underscores_in_headers: true
                policies: [{ type: headers, request: { rename: { X_User: X-User } } }]
              - { id: all, upstream: raw }

            """
        try await withGateway(options: GatewayOptions(metricsFactory: metrics), routes: routes) { gw, upstream in
            let client = try gw.client()
            for path in ["/keeps", "/renames", "/other"] {
                try client.send(underscored(path))
                XCTAssertEqual(try client.readResponse().status, 200, path)
            }
            let sent = upstream.received
            XCTAssertTrue(forwarded("/keeps", in: sent).contains("\r\nX_User: admin\r\nX-Mid: m\r\nZ_Last: z\r\n"),
                          "kept fields go up in the order they came: \(sent)")
            XCTAssertTrue(forwarded("/renames", in: sent).contains("X-User: admin\r\n"), "the route's policies see kept fields: \(sent)")
            let other = forwarded("/other", in: sent)
            XCTAssertTrue(other.contains("X-Mid: m\r\n"), sent)
            XCTAssertFalse(other.contains("_"), "a route without the switch forwarded an underscored name: \(other)")
            for gone in ["Transfer_Encoding", "Content_Length", "transfer-encoding"] {
                XCTAssertFalse(sent.contains(gone), "\(gone) reached the upstream: \(sent)")
            }
            // Two framing look-alikes on each request, and the two set aside on the last.
            XCTAssertEqual(metrics.counter("meshgate_gateway_underscored_fields_dropped_total", []), 8)
        }
    }

    func testARouteCanDropUnderscoredFieldsTheGlobalSwitchKeeps() async throws {
        let routes = """
              - { id: strict, match: { path_prefix: /strict }, upstream: raw, underscores_in_headers: false }
              - { id: all, upstream: raw }

            """
        try await withGateway(options: GatewayOptions(underscoredFields: .kept), routes: routes) { gw, upstream in
            let client = try gw.client()
            for path in ["/strict", "/other"] {
                try client.send(underscored(path))
                XCTAssertEqual(try client.readResponse().status, 200, path)
            }
            let strict = forwarded("/strict", in: upstream.received)
            XCTAssertFalse(strict.isEmpty)
            XCTAssertFalse(strict.contains("_"), strict)
            XCTAssertTrue(forwarded("/other", in: upstream.received).contains("\r\nX_User: admin\r\nX-Mid: m\r\nZ_Last: z\r\n"))
        }
    }
}
