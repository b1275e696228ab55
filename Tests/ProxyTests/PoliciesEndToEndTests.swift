import ManagerCore
import Crypto
import Foundation
import NIOPosix
import XCTest

@testable import Proxy

/// Policies in a running gateway, between a real client socket and a real upstream.
final class PoliciesEndToEndTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var upstream: TestUpstream!
    var gateway: GatewayHarness!

    func start(policies: String) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        upstream = try await TestUpstream(name: "up", group: group)
        gateway = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstream.port])
                + "routes:\n  - id: api\n    upstream: up\n    policies:\n" + policies
        )
    }

    override func tearDown() async throws {
        await gateway?.stop()
        await upstream?.close()
        try await group?.shutdownGracefully()
    }

    func testRejectedAuthenticationNeverReachesTheUpstream() async throws {
        let hash = SHA256.hash(data: Array("k-alice".utf8)).map { String(format: "%02x", $0) }.joined()
        try await start(policies: "      - type: api_key\n        keys: [{ consumer: alice, sha256: \(hash) }]\n")
        let refused = try gateway.client().get("/orders", headers: ["X-API-Key": "k-mallory"])
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.header("www-authenticate"), #"ApiKey header="X-API-Key""#)
        XCTAssertTrue(refused.bodyText.contains("unauthorized"))
        XCTAssertEqual(upstream.count, 0)

        let accepted = try gateway.client().get("/orders", headers: ["X-API-Key": "k-alice"])
        XCTAssertEqual(accepted.status, 200)
        XCTAssertEqual(upstream.count, 1)
        XCTAssertNil(upstream.requests[0].head.headers.first(name: "X-API-Key"), "the key is not forwarded")
    }

    func testRateLimitAnswers429WithRetryAfter() async throws {
        try await start(policies: "      - type: rate_limit\n        requests: 2\n        per: 1h\n")
        let client = try gateway.client()
        let first = try client.get("/")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.header("ratelimit-limit"), "2")
        XCTAssertEqual(first.header("ratelimit-remaining"), "1")
        XCTAssertEqual(try client.get("/").header("ratelimit-remaining"), "0")
        let refused = try gateway.client().get("/")
        XCTAssertEqual(refused.status, 429)
        XCTAssertEqual(refused.header("retry-after"), "1800")
        XCTAssertEqual(upstream.count, 2)
    }

    func testCORSPreflightIsAnsweredByTheGateway() async throws {
        try await start(policies: "      - type: cors\n        allow_origins: [https://app.example.com]\n        allow_methods: [GET, PUT]\n")
        let client = try gateway.client()
        try client.send(
            "OPTIONS /orders HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n\r\n"
        )
        let preflight = try client.readResponse()
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.header("access-control-allow-origin"), "https://app.example.com")
        XCTAssertEqual(preflight.header("access-control-allow-methods"), "GET, PUT")
        XCTAssertEqual(upstream.count, 0, "the preflight is not forwarded")

        let actual = try gateway.client().get("/orders", headers: ["Origin": "https://app.example.com"])
        XCTAssertEqual(actual.status, 200)
        XCTAssertEqual(actual.header("access-control-allow-origin"), "https://app.example.com")
        XCTAssertEqual(actual.header("vary"), "Origin")
        XCTAssertEqual(upstream.count, 1)
    }

    func testJWTThroughTheGatewayWithKeysFromAJWKSEndpointAndARotation() async throws {
        let jwks = try TestJWKSServer()
        defer { try? jwks.stop() }
        let key = try await TestSigningKey.es256(kid: "idp-1")
        jwks.serve([key])
        try await start(policies: "      - type: jwt\n        jwks_url: \(jwks.url)\n        jwks_min_refetch: 0s\n")
        let token = try await key.token()
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(token)"]).status, 200)
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(token).x"]).status, 401)
        XCTAssertEqual(try gateway.client().get("/").status, 401)
        XCTAssertEqual(upstream.count, 1)
        // The identity provider rotates, publishing both keys for a while: a token of the new
        // key is accepted at once (its unknown kid fetches the set again), the old one's still are.
        let next = try await TestSigningKey.es256(kid: "idp-2")
        jwks.serve([key, next])
        let nextToken = try await next.token()
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(nextToken)"]).status, 200)
        XCTAssertEqual(try gateway.client().get("/", headers: ["Authorization": "Bearer \(token)"]).status, 200)
        XCTAssertEqual(upstream.count, 3)
    }

    func testHeaderEditsReachTheUpstreamAndTheClient() async throws {
        try await start(policies: """
                  - type: headers
                    request:
                      remove: [X-Internal-Debug]
                      rename: { X-Old-Token: X-Token }
                      set: { X-Env: prod }
                      add: { X-Gateway: meshgate }
                    response:
                      remove: [X-Upstream]
                      set: { Cache-Control: no-store }

            """)
        let r = try gateway.client().get("/edit", headers: [
            "X-Internal-Debug": "1", "X-Old-Token": "t0k", "X-Env": "dev", "X-Gateway": "client",
        ])
        XCTAssertEqual(r.status, 200)
        XCTAssertNil(r.header("x-upstream"))
        XCTAssertEqual(r.header("cache-control"), "no-store")
        XCTAssertEqual(r.bodyText, "up GET /edit 0")
        let seen = try XCTUnwrap(upstream.requests.first).head.headers
        XCTAssertNil(seen.first(name: "x-internal-debug"))
        XCTAssertNil(seen.first(name: "x-old-token"))
        XCTAssertEqual(seen["x-token"], ["t0k"])
        XCTAssertEqual(seen["x-env"], ["prod"])
        XCTAssertEqual(seen["x-gateway"], ["client", "meshgate"])
    }
}
