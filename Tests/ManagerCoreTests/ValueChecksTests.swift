import ManagerCore
import XCTest

/// A config that did not come from a manifest (an API client's JSON) meets the same rules.
final class ValueChecksTests: XCTestCase {
    func testValuesAManifestWouldRefuseAreRefusedInTheModel() {
        var config = GatewayConfig(
            upstreams: [UpstreamConfig(id: "u", targets: [TargetConfig(host: "127.0.0.1", port: 0)], retries: -1)],
            routes: [RouteConfig(id: "r", destination: .upstream("u"), policies: [
                .apiKey(ApiKeyPolicyConfig(header: "X-Key", keys: [.init(consumer: "c", sha256: "zz")], strip: true)),
                .rateLimit(RateLimitPolicyConfig(requests: 0, per: .seconds(1), burst: 1, key: .route)),
                .headers(HeadersPolicyConfig(request: [.set(name: "Transfer-Encoding", value: "chunked")], response: [])),
                .jwt(JWTPolicyConfig(algorithms: [.hs256], keys: [.init(kid: nil, algorithm: .hs256, material: .secret("short"))],
                                     jwks: nil, issuers: nil, audiences: nil, leeway: .seconds(1), requireExpiry: true,
                                     consumerClaim: "sub")),
            ])])
        let messages = ManifestValidation.problems(in: config).map(\.message)
        XCTAssertEqual(messages, [
            "upstream 'u': target 127.0.0.1:0 needs a host, a port 1-65535 and a weight >= 1",
            "upstream 'u': retries below 0",
            "route 'r': api_key: a sha256 that is not 64 hex digits",
            "route 'r': rate_limit: requests and burst >= 1, per > 0",
            "route 'r': headers: 'Transfer-Encoding' cannot be edited",
            "route 'r': jwt: a key that does not load: an HS256 secret needs at least 32 bytes",
        ])
        config.upstreams[0].targets[0].port = 80
        config.upstreams[0].retries = 0
        config.routes[0].policies = []
        XCTAssertEqual(ManifestValidation.problems(in: config), [])
    }

    /// Given a config that passed, only the entities that differ from it are value-checked
    /// again; cross-references are always checked, for unchanged routes too.
    func testAConfigCheckedBeforeSparesOnlyItsUnchangedEntities() {
        let base = GatewayConfig(
            upstreams: [UpstreamConfig(id: "u", targets: [TargetConfig(host: "127.0.0.1", port: 80)]),
                        UpstreamConfig(id: "v", targets: [TargetConfig(host: "127.0.0.1", port: 81)])],
            routes: [RouteConfig(id: "r1", destination: .upstream("u")), RouteConfig(id: "r2", destination: .upstream("v"))])
        XCTAssertEqual(ManifestValidation.problems(in: base), [])
        var next = base
        next.routes[0].match.path = .prefix("no-slash")
        next.upstreams.remove(at: 1)
        XCTAssertEqual(ManifestValidation.problems(in: next, checkedBefore: base).map(\.message), [
            "route 'r1': path 'no-slash' must start with / and hold no query, fragment or space",
            "route 'r2' names unknown upstream 'v'",
        ])
        XCTAssertThrowsError(try ManifestValidation.validated(next, checkedBefore: base))
        XCTAssertEqual(try ManifestValidation.validated(base, checkedBefore: base).config, base)
    }

    /// The parser's rules for paths and hosts hold for configs that never were a manifest.
    func testPathParametersAndWildcardsAreCheckedWhateverTheSource() {
        let config = GatewayConfig(
            upstreams: [UpstreamConfig(id: "u", targets: [TargetConfig(host: "127.0.0.1", port: 80)])],
            routes: [RouteConfig(id: "r", match: RouteMatch(hosts: ["a*.example"], path: .prefix("/items/{id"), methods: ["GE T"],
                                                            headers: []),
                                 destination: .upstream("u"))])
        XCTAssertEqual(ManifestValidation.problems(in: config).map(\.message), [
            "route 'r': path '/items/{id': a parameter is a whole segment like {id}",
            "route 'r': 'GE T' is not a method token",
            "route 'r': host 'a*.example' must be a name or *.suffix",
        ])
    }
}
