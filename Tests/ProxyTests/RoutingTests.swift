import NIOPosix
import XCTest

@testable import Proxy

final class RoutingTests: XCTestCase {
    func testMostSpecificRouteWins() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let names = ["any", "wild", "exacthost", "prefix", "deeper", "exact", "param", "post", "canary"]
        var ups: [String: TestUpstream] = [:]
        for name in names { ups[name] = try await TestUpstream(name: name, group: group) }
        var yaml = "upstreams:\n"
        for name in names { yaml += upstreamYAML(name, ports: [ups[name]!.port]) }
        yaml += """
            routes:
              - { id: any, upstream: any }
              - { id: wild, match: { host: "*.example.com" }, upstream: wild }
              - { id: exacthost, match: { host: api.example.com }, upstream: exacthost }
              - { id: prefix, match: { path_prefix: /api }, upstream: prefix }
              - { id: deeper, match: { path_prefix: /api/v2 }, upstream: deeper }
              - { id: exact, match: { path: /api/v2/status }, upstream: exact }
              - { id: param, match: { path: "/api/v2/users/{id}" }, upstream: param }
              - { id: post, match: { path_prefix: /api/v2, methods: [POST] }, upstream: post }
              - { id: canary, match: { path_prefix: /api/v2, headers: { X-Canary: "yes" } }, upstream: canary }

            """
        let gw = try await GatewayHarness.start(yaml: yaml)
        let c = try gw.client()
        func hit(_ path: String, host: String = "other.test", method: String = "GET", headers: String = "") throws -> String? {
            try c.send("\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Length: 0\r\n\(headers)\r\n")
            return try c.readResponse().header("x-upstream")
        }
        XCTAssertEqual(try hit("/"), "any")
        XCTAssertEqual(try hit("/elsewhere", host: "a.b.example.com"), "wild")
        XCTAssertEqual(try hit("/", host: "API.example.com:8080"), "exacthost")
        XCTAssertEqual(try hit("/api"), "prefix")
        XCTAssertEqual(try hit("/api/v1/x"), "prefix")
        XCTAssertEqual(try hit("/apix"), "any", "a prefix matches whole segments")
        XCTAssertEqual(try hit("/api/v2/anything"), "deeper")
        XCTAssertEqual(try hit("/api/v2/status?verbose=1"), "exact")
        XCTAssertEqual(try hit("/api/v2/users/42"), "param")
        XCTAssertEqual(try hit("/api/v2/users/42/extra"), "deeper")
        XCTAssertEqual(try hit("/api/v2/x", method: "POST"), "post")
        XCTAssertEqual(try hit("/api/v2/x", headers: "X-Canary: yes\r\n"), "canary")
        XCTAssertEqual(try hit("/api/v2/x", method: "PURGE"), "deeper", "extension methods are forwarded")
        await gw.stop()
        for up in ups.values { await up.close() }
        try await group.shutdownGracefully()
    }

    func testNoRouteIs404WithJSON() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "a", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("a", ports: [up.port]) + """
            routes:
              - { id: only, match: { host: known.test }, upstream: a }

            """)
        let c = try gw.client()
        let response = try c.get("/x", host: "unknown.test")
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.header("content-type"), "application/json")
        XCTAssertTrue(response.bodyText.contains("\"status\":404"))
        XCTAssertNotNil(response.header("x-request-id"))
        XCTAssertEqual(try c.get("/x", host: "known.test").status, 200, "the connection stays usable after a 404")
        XCTAssertEqual(up.count, 1)
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testStripPrefixAndTiesByDeclaredOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let first = try await TestUpstream(name: "first", group: group)
        let second = try await TestUpstream(name: "second", group: group)
        let gw = try await GatewayHarness.start(yaml: "upstreams:\n" + upstreamYAML("first", ports: [first.port])
            + upstreamYAML("second", ports: [second.port]) + """
            routes:
              - { id: one, match: { path_prefix: /svc }, upstream: first, strip_prefix: true }
              - { id: two, match: { path_prefix: /svc }, upstream: second }

            """)
        let c = try gw.client()
        let response = try c.get("/svc/items?q=1")
        XCTAssertEqual(response.header("x-upstream"), "first")
        XCTAssertEqual(first.requests.last?.head.uri, "/items?q=1")
        _ = try c.get("/svc")
        XCTAssertEqual(first.requests.last?.head.uri, "/")
        await gw.stop()
        await first.close()
        await second.close()
        try await group.shutdownGracefully()
    }

    func testRouterCostBarelyDependsOnRouteCount() throws {
        // Functional check of the compiled structure: 1,000 routes resolve like 10.
        func router(_ n: Int) -> Router<Int> {
            Router(rules: (0..<n).map { i in
                .init(hosts: i % 3 == 0 ? ["h\(i).test"] : [], path: .prefix("/svc\(i)/{id}/items"), rank: 0, value: i)
            })
        }
        let big = router(1000)
        XCTAssertEqual(big.match(host: { "x" }, path: "/svc998/7/items/1", accept: { _ in true }), 998)
        XCTAssertEqual(big.match(host: { "h999.test" }, path: "/svc999/7/items", accept: { _ in true }), 999)
        XCTAssertNil(big.match(host: { "x" }, path: "/svc999/7/items", accept: { _ in true }))
        XCTAssertNil(big.match(host: { "x" }, path: "/nothing", accept: { _ in true }))
    }
}
