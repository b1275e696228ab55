import Crypto
import Foundation
import NIOPosix
import XCTest

@testable import Proxy

/// How the data plane carries out policy decisions: deferred decisions, answers on
/// keep-alive connections, bodiless statuses and streamed body limits.
final class PoliciesDataPlaneTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var upstream: TestUpstream!
    var gateway: GatewayHarness!

    func start(policies: String, limits: GatewayOptions.Limits = .init()) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        upstream = try await TestUpstream(name: "up", group: group)
        gateway = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstream.port])
                + "routes:\n  - id: api\n    upstream: up\n    policies:\n" + policies,
            options: GatewayOptions(host: "127.0.0.1", port: 0, limits: limits)
        )
    }

    override func tearDown() async throws {
        await gateway?.stop()
        await upstream?.close()
        try await group?.shutdownGracefully()
    }

    static func apiKeyPolicy() -> String {
        let hash = SHA256.hash(data: Array("k-alice".utf8)).map { String(format: "%02x", $0) }.joined()
        return "      - type: api_key\n        keys: [{ consumer: alice, sha256: \(hash) }]\n"
    }

    /// A token that waited for the JWKS fetch still names its consumer: a per-consumer
    /// limit of one request counts the first request against alice, not the client address.
    func testTokenThatWaitedForTheKeysNamesItsConsumer() async throws {
        let jwks = try TestJWKSServer()
        defer { try? jwks.stop() }
        let key = try await TestSigningKey.es256(kid: "idp-late")
        try await start(
            policies: "      - type: jwt\n        jwks_url: \(jwks.url)\n        jwks_min_refetch: 0s\n"
                + "      - type: rate_limit\n        requests: 1\n        per: 1h\n        key: consumer\n")
        for _ in 0..<100 where jwks.fetches.current == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(jwks.fetches.current, 1, "the load-time fetch found no key")
        jwks.serve([key])
        let alice = try await key.token(TestClaims(sub: "alice"))
        let bob = try await key.token(TestClaims(sub: "bob"))
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(alice)"]).status, 200)
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(alice)"]).status, 429)
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(bob)"]).status, 200)
        XCTAssertEqual(upstream.count, 2)
        XCTAssertEqual(jwks.fetches.current, 2, "the first request waited for a fetch")
    }

    func testRefusedRequestWithoutBodyKeepsTheConnection() async throws {
        try await start(policies: Self.apiKeyPolicy())
        let client = try gateway.client()
        let refused = try client.get("/orders")
        XCTAssertEqual(refused.status, 401)
        XCTAssertNotEqual(refused.header("connection")?.lowercased(), "close")
        let accepted = try client.get("/orders", headers: ["X-API-Key": "k-alice"])
        XCTAssertEqual(accepted.status, 200)
        let refusedAgain = try client.get("/orders")
        XCTAssertEqual(refusedAgain.status, 401)
        XCTAssertEqual(upstream.count, 1)
    }

    func testSmallBodyOfARefusedRequestIsDroppedAndTheConnectionKept() async throws {
        try await start(policies: Self.apiKeyPolicy())
        let client = try gateway.client()
        try client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 401)
        XCTAssertNotEqual(refused.header("connection")?.lowercased(), "close")
        try client.send("hello")
        let accepted = try client.get("/orders", headers: ["X-API-Key": "k-alice"])
        XCTAssertEqual(accepted.status, 200)
        XCTAssertEqual(upstream.requests.map(\.head.method), [.GET])
    }

    /// The dropped body is not the start of a next request: the connection then idles
    /// under the idle timeout, not the (shorter) deadline for a request head.
    func testConnectionIdlesAfterADroppedBody() async throws {
        try await start(
            policies: Self.apiKeyPolicy(), limits: .init(idleTimeout: .seconds(5), readTimeout: .milliseconds(200)))
        let client = try gateway.client()
        try client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 401)
        try client.send("hello")
        try await Task.sleep(for: .milliseconds(600))
        XCTAssertEqual(try client.get("/orders", headers: ["X-API-Key": "k-alice"]).status, 200)
    }

    func testRefusedRequestWithLargeUnreadBodyClosesTheConnection() async throws {
        try await start(policies: Self.apiKeyPolicy())
        let client = try gateway.client()
        try client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n")
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.header("connection")?.lowercased(), "close")
        XCTAssertTrue(client.isClosedByPeer())
    }

    /// The client waits for `100 Continue` before its body; after a refusal it may never send it.
    func testRefusedRequestExpectingContinueClosesTheConnection() async throws {
        try await start(policies: Self.apiKeyPolicy())
        let client = try gateway.client()
        try client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.header("connection")?.lowercased(), "close")
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testPolicyAnswerAskingToCloseClosesTheConnection() async throws {
        try await start(policies: "      - type: request_size_limit\n        max_bytes: 4\n")
        let client = try gateway.client()
        try client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 413)
        XCTAssertEqual(refused.header("connection")?.lowercased(), "close")
        XCTAssertTrue(client.isClosedByPeer())
        XCTAssertEqual(upstream.count, 0)
    }

    /// The 204 carries neither a body nor a length; the next answer on the connection
    /// starts right after its head.
    func testPreflightAnswerHasNoBodyAndNoLength() async throws {
        try await start(policies: "      - type: cors\n        allow_origins: [https://app.example.com]\n")
        let client = try gateway.client()
        try client.send(
            "OPTIONS /orders HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n\r\n"
                + "GET /orders HTTP/1.1\r\nHost: a\r\n\r\n"
        )
        let preflight = try client.readResponse()
        XCTAssertEqual(preflight.status, 204)
        XCTAssertNil(preflight.header("content-length"))
        XCTAssertNil(preflight.header("transfer-encoding"))
        XCTAssertNil(preflight.header("content-type"))
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(upstream.count, 1)
    }

    func testRefusedHeadRequestHasNoBody() async throws {
        try await start(policies: Self.apiKeyPolicy())
        let client = try gateway.client()
        try client.send("HEAD /orders HTTP/1.1\r\nHost: a\r\n\r\nGET /orders HTTP/1.1\r\nHost: a\r\nX-API-Key: k-alice\r\n\r\n")
        let refused = try client.readResponse(headRequest: true)
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(try client.readResponse().status, 200)
    }

    func testUnroutedHeadRequestHasNoBody() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        upstream = try await TestUpstream(name: "up", group: group)
        gateway = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstream.port])
                + "routes:\n  - id: orders\n    match: { path_prefix: /orders }\n    upstream: up\n")
        let client = try gateway.client()
        try client.send("HEAD /elsewhere HTTP/1.1\r\nHost: a\r\n\r\nGET /orders HTTP/1.1\r\nHost: a\r\n\r\n")
        let unrouted = try client.readResponse(headRequest: true)
        XCTAssertEqual(unrouted.status, 404)
        XCTAssertEqual(try client.readResponse().status, 200)
    }

    func testSmallBodyOfAnUnroutedRequestIsDroppedAndTheConnectionKept() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        upstream = try await TestUpstream(name: "up", group: group)
        gateway = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstream.port])
                + "routes:\n  - id: orders\n    match: { path_prefix: /orders }\n    upstream: up\n")
        let client = try gateway.client()
        try client.send("POST /elsewhere HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        let unrouted = try client.readResponse()
        XCTAssertEqual(unrouted.status, 404)
        XCTAssertNotEqual(unrouted.header("connection")?.lowercased(), "close")
        XCTAssertEqual(try client.get("/orders").status, 200)
        XCTAssertEqual(upstream.requests.map(\.head.method), [.GET])
    }

    func testChunkedBodyOverTheRouteLimitIs413() async throws {
        try await start(policies: "      - type: request_size_limit\n        max_bytes: 2000\n")
        let client = try gateway.client()
        try client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "3e8\r\n" + String(repeating: "x", count: 1000) + "\r\n"
        try client.send(chunk + chunk + chunk + "0\r\n\r\n")
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 413)
        XCTAssertTrue(upstream.requests.allSatisfy { $0.bodyBytes <= 2000 })
    }

    func testChunkedBodyWithinTheRouteLimitIsForwarded() async throws {
        try await start(policies: "      - type: request_size_limit\n        max_bytes: 2000\n")
        let client = try gateway.client()
        let chunk = "3e8\r\n" + String(repeating: "x", count: 1000) + "\r\n"
        try client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(upstream.requests.first?.bodyBytes, 2000)
    }
}
