@testable import ManagerCore
import XCTest

final class ContentLayoutTests: XCTestCase {
    /// Each entity's range in the whole content holds exactly its own canonical encoding,
    /// which is what lets a delta's result be spliced instead of encoded whole.
    func testEachRangeIsTheEntitysOwnEncoding() throws {
        let paths = ["/plain", "/a,b", "/c]d", "/e}{f", "/q\"uote\"", "/back\\slash\\", "/tab\tnew\nline", "/é", "/[x]", "/\\\""]
        let config = GatewayConfig(
            upstreams: [UpstreamConfig(id: "u,1", targets: [TargetConfig(host: "127.0.0.1", port: 1, tags: ["k": "v]"])]),
                        UpstreamConfig(id: "u\"2", targets: [TargetConfig(host: "127.0.0.1", port: 2)])],
            routes: paths.enumerated().map { index, path in
                RouteConfig(id: "r\(index)\(path)", match: RouteMatch(hosts: ["h{\(index)}"], path: .prefix(path), methods: [],
                                                                      headers: [HeaderMatch(name: "x", value: path)]),
                            destination: .upstream("u,1"))
            })
        let bytes = config.canonicalBytes
        let layout = try XCTUnwrap(ContentLayout(scanning: bytes))
        XCTAssertEqual(layout.routes.map { Array(bytes[$0]) }, config.routes.map { CanonicalEncoding.encode($0) })
        XCTAssertEqual(layout.upstreams.map { Array(bytes[$0]) }, config.upstreams.map { CanonicalEncoding.encode($0) })
        XCTAssertEqual(ContentLayout.splice(routes: layout.routes.map { .base($0) }, upstreams: layout.upstreams.map { .base($0) },
                                            base: bytes), bytes)
    }

    func testEmptyAndForeignContent() {
        XCTAssertEqual(ContentLayout(scanning: GatewayConfig.empty.canonicalBytes), ContentLayout(routes: [], upstreams: []))
        for foreign in [#"{"routes":[{"a":1}],"upstreams":["#, #"{"routes":[,],"upstreams":[]}"#, #"{"upstreams":[],"routes":[]}"#,
                        #"{"routes":[],"upstreams":[]} "#, #"{"routes":["x\"],"upstreams":[]}"#, ""] {
            XCTAssertNil(ContentLayout(scanning: Array(foreign.utf8)), foreign)
        }
    }
}
