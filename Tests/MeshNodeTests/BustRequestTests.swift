import CacheRing
import ManagerCore
import XCTest

@testable import MeshNode

/// What `POST /v1/cache/bust` turns its body into, and the routes a new config busts.
final class BustRequestTests: XCTestCase {
    func testAURLBustsTheResourceTheStandardTemplateKeysAGetOf() throws {
        let request = try BustRequest(json: ["url": "https://Example.COM./a/%7euser?b=2&a=1#top"])
        let standard = CacheKeyTemplate.standard.key(for: CacheRequest(
            method: "GET", host: "example.com", target: "/a/~user?a=1&b=2", headers: ["accept": "text/html"]))
        XCTAssertEqual(request.invalidation, .resource(String(standard.resource)))
        XCTAssertEqual(request.invalidation, .resource("GET example.com/a/~user?a=1&b=2"))
        XCTAssertEqual(try BustRequest(json: ["url": "http://h:8080"]).invalidation, .resource("GET h/"),
                       "keys hold the host without its port")
        XCTAssertEqual(try BustRequest(json: ["url": "http://[::1]:8080/a"]).invalidation, .resource("GET ::1/a"),
                       "an IPv6 host is keyed without brackets, as the request path keys it")
        let routed = CacheKeyTemplate(query: .only(["a"]), headers: ["accept"])
            .key(for: CacheRequest(method: "GET", host: "example.com", target: "/a?a=1"))
        XCTAssertEqual(try BustRequest(json: ["url": "https://example.com/a?a=1&utm=x"]) { _ in routed }.invalidation,
                       .resource("GET example.com/a?a=1"), "the route's own template wins when a route takes the URL")
        XCTAssertEqual(try BustRequest(json: ["url": "/a"]) { _ in routed }.invalidation, .path("/a"))
        XCTAssertEqual(try BustRequest(json: ["url": "/a/%7euser?q=1"]).invalidation, .path("/a/~user"))
        XCTAssertTrue(request.wait)
        XCTAssertEqual(request.timeout, .seconds(5))
    }

    func testEachKindAndTheOptions() throws {
        XCTAssertEqual(try BustRequest(json: ["key": "GET h/a\naccept: x"]).invalidation, .key("GET h/a\naccept: x"))
        XCTAssertEqual(try BustRequest(json: ["prefix": "/news/%7e"]).invalidation, .prefix("/news/~"))
        XCTAssertEqual(try BustRequest(json: ["tag": "t"]).invalidation, .tag("t"))
        XCTAssertEqual(try BustRequest(json: ["route": "r"]).invalidation, .route("r"))
        let all = try BustRequest(json: ["all": true, "wait": false, "timeout_ms": 250])
        XCTAssertEqual(all, BustRequest(invalidation: .all, wait: false, timeout: .milliseconds(250)))
        for bad: [String: Any] in [
            [:], ["tag": "a", "route": "b"], ["all": false], ["tag": ""], ["prefix": "news"], ["url": "ftp://h/a"],
            ["url": "https:///a"], ["tag": "t", "wait": "yes"], ["tag": "t", "timeout_ms": 0], ["tag": "t", "timeout_ms": 60_001],
            ["tag": String(repeating: "x", count: 1025)],
        ] {
            XCTAssertThrowsError(try BustRequest(json: bad), "\(bad)")
        }
    }

    func testANewConfigBustsTheRoutesItChanged() {
        func upstream(_ id: String, port: Int) -> UpstreamConfig {
            UpstreamConfig(id: id, targets: [TargetConfig(host: "127.0.0.1", port: port)])
        }
        func route(_ id: String, to destination: RouteDestination, ttl: Duration? = .seconds(30)) -> RouteConfig {
            RouteConfig(id: id, destination: destination, cache: ttl.map { CacheRule(ttl: $0, override: false) })
        }
        let old = GatewayConfig(
            upstreams: [upstream("u1", port: 1), upstream("u2", port: 2)],
            routes: [route("same", to: .upstream("u1")), route("moved", to: .upstream("u1")), route("ttl", to: .upstream("u2")),
                     route("gone", to: .upstream("u1")), route("targets", to: .upstream("u2"))])
        XCTAssertEqual(ChangedRoutes.ids(from: old, to: old), [])
        var new = old
        new.upstreams[1] = upstream("u2", port: 3)
        XCTAssertEqual(ChangedRoutes.ids(from: old, to: new), ["targets", "ttl"], "u2's targets changed; uncached held nothing")
        new = old
        new.routes = [route("same", to: .upstream("u1")), route("moved", to: .upstream("u2")),
                      route("ttl", to: .upstream("u2"), ttl: .seconds(5)), route("targets", to: .upstream("u2")),
                      route("added", to: .upstream("u1"))]
        XCTAssertEqual(ChangedRoutes.ids(from: old, to: new), ["gone", "moved", "ttl"])
    }
}
