import ManagerCore
import Sodium
import XCTest

final class VersionLineTests: XCTestCase {
    let key = SigningKey(secretKey: Ed25519.keyPair().secretKey)!

    func config(port: Int) -> GatewayConfig {
        GatewayConfig(upstreams: [UpstreamConfig(id: "u", targets: [TargetConfig(host: "127.0.0.1", port: port)])],
                      routes: [RouteConfig(id: "r", destination: .upstream("u"))])
    }

    func testVersionsGrowAndUnchangedContentPublishesNothing() {
        var line = VersionLine(environment: "prod")
        XCTAssertEqual(line.next(for: config(port: 1)), .sign(version: 1, parent: nil))
        let first = key.sign(content: config(port: 1), environment: "prod", version: 1, parent: nil,
                             createdAtMillis: 0, author: "a", summary: "")
        line.record(first)
        XCTAssertEqual(line.next(for: config(port: 1)), .unchanged(first))
        XCTAssertEqual(line.next(for: config(port: 2)), .sign(version: 2, parent: config(port: 1).digest))
    }

    func testAManagerNeverSignsBelowWhatTheMeshRuns() {
        var line = VersionLine(environment: "prod")
        line.heard(version: 7)
        XCTAssertEqual(line.next(for: config(port: 1)), .behind(heard: 7))
        line.record(key.sign(content: config(port: 1), environment: "prod", version: 7, parent: nil,
                             createdAtMillis: 0, author: "a", summary: ""))
        XCTAssertEqual(line.next(for: config(port: 2)), .sign(version: 8, parent: config(port: 1).digest))
        // An older bundle heard late does not go into the line.
        line.record(key.sign(content: config(port: 3), environment: "prod", version: 5, parent: nil,
                             createdAtMillis: 0, author: "a", summary: ""))
        XCTAssertEqual(line.latest?.header.version, 7)
    }

    func testDiffNamesWhatChanged() {
        var old = config(port: 1)
        old.routes.append(RouteConfig(id: "gone", destination: .upstream("u")))
        var new = config(port: 2)
        new.routes[0].policies = [.requestSizeLimit(RequestSizeLimitPolicyConfig(maxBytes: 10))]
        new.routes.append(RouteConfig(id: "fresh", destination: .upstream("u")))
        let diff = ConfigDiff(from: old, to: new)
        XCTAssertEqual(diff.routes.added, ["fresh"])
        XCTAssertEqual(diff.routes.removed, ["gone"])
        XCTAssertEqual(diff.routes.changed, ["r"])
        XCTAssertEqual(diff.policies, ["r"])
        XCTAssertEqual(diff.upstreams.changed, ["u"])
        XCTAssertEqual(diff.summary, "routes +1 -1 ~1, upstreams +0 -0 ~1")
        XCTAssertTrue(ConfigDiff(from: new, to: new).isEmpty)
    }
}
