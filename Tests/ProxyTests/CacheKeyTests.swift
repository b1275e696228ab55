import CacheRing
import Logging
import ManagerCore
import NIOPosix
import Proxy
import XCTest

/// `Gateway.cacheKey`: the key `meshctl cache key` shows and a bust of a URL selects, which
/// must be the key the request path files a request for that URL under.
final class CacheKeyTests: XCTestCase {
    private func withGateway(_ body: (Gateway) throws -> Void) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let yaml = "upstreams:\n" + upstreamYAML("origin", ports: [1])
            + "routes:\n  - { id: cached, upstream: origin, cache: { ttl: 60s } }\n"
        let gateway = try Gateway(options: GatewayOptions(), config: try GatewayConfig.parse(yaml: yaml, file: "test.yaml"),
                                  group: group, logger: Logger(label: "test"))
        try body(gateway)
    }

    func testAURLIsKeyedAsTheRequestPathKeysIt() throws {
        try withGateway { gateway in
            XCTAssertEqual(gateway.cacheKey(url: "HTTP://Example.COM:8080/a?b=2&a=1#top")?.key.text, "GET example.com/a?a=1&b=2")
            XCTAssertEqual(gateway.cacheKey(url: "/a")?.key.text, "GET /a")
            XCTAssertEqual(gateway.cacheKey(url: "ftp://h/a")?.key.text, nil)
        }
    }

    func testAnAuthorityFollowedByAQueryTargetsTheRoot() throws {
        try withGateway { gateway in
            XCTAssertEqual(gateway.cacheKey(url: "http://h?q=1")?.key.text, "GET h/?q=1")
        }
    }

    func testAnIPv6HostIsKeyedWithoutBracketsOrPort() throws {
        try withGateway { gateway in
            XCTAssertEqual(gateway.cacheKey(url: "http://[::1]:8080/a")?.key.text, "GET ::1/a")
        }
    }
}
