import ManagerCore
import XCTest

@testable import Proxy

/// Mistakes in a manifest are reported at the file and line of the mistake.
final class PoliciesConfigErrorTests: XCTestCase {
    /// The first problem loading a manifest whose one route has these policies.
    func loadError(_ policiesYAML: String) throws -> String {
        let manifest = """
            routes:
              - id: orders
                match: { path_prefix: /orders }
                upstream: orders
                policies:
            \(policiesYAML)
            """
        do {
            _ = try ManifestLoader.local.parse([("manifests/prod.yaml", manifest)])
        } catch {
            return error.errors.first?.description ?? ""
        }
        XCTFail("the manifest loaded")
        return ""
    }

    func testUnknownPolicyType() throws {
        XCTAssertEqual(
            try loadError("      - type: rate-limit\n        requests: 5"),
            "manifests/prod.yaml:6: unknown policy type 'rate-limit' (api_key, jwt, rate_limit, headers, cors, request_size_limit)"
        )
    }

    func testMisspeltOptionPointsAtItsLine() throws {
        XCTAssertEqual(
            try loadError("      - type: rate_limit\n        requests: 5\n        brust: 10"),
            "manifests/prod.yaml:8: rate_limit: unknown option 'brust' (known: burst, key, per, requests)"
        )
    }

    func testBadValuesPointAtTheirLine() throws {
        XCTAssertEqual(
            try loadError("      - type: cors\n        allow_origins: [https://a.example]\n      - type: rate_limit\n        requests: 5\n        per: soon"),
            "manifests/prod.yaml:10: rate_limit.per: expected a duration like 250ms, 30s, 5m or 1h"
        )
        XCTAssertEqual(
            try loadError("      - type: request_size_limit\n        max_bytes: lots"),
            "manifests/prod.yaml:7: request_size_limit.max_bytes: expected a size like 1048576, 64KiB or 10MB"
        )
    }

    func testNestedKeyErrorsPointAtTheNestedLine() throws {
        XCTAssertEqual(
            try loadError(
                """
                      - type: jwt
                        issuer: https://idp.example.com
                        keys:
                          - kid: one
                            alg: PS256
                            secret: x
                """
            ),
            "manifests/prod.yaml:10: jwt.keys[0].alg: unsupported 'PS256' (supported: HS256, RS256, ES256, EdDSA)"
        )
        XCTAssertEqual(
            try loadError("      - type: api_key\n        keys:\n          - consumer: a\n            sha256: abc"),
            "manifests/prod.yaml:9: api_key.keys[0].sha256: expected 64 hex digits, the SHA-256 of the key (printf %s KEY | sha256sum)"
        )
    }

    func testMissingRequiredOption() throws {
        XCTAssertEqual(
            try loadError("      - type: rate_limit\n        per: 1s"),
            "manifests/prod.yaml:6: rate_limit: missing required option 'requests'"
        )
        XCTAssertEqual(
            try loadError("      - type: jwt\n        leeway: 5s"),
            "manifests/prod.yaml:6: jwt: give 'keys' or 'jwks_url'"
        )
    }
}
