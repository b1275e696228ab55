import ManagerCore
import XCTest

final class ManifestTests: XCTestCase {
    let loader = ManifestLoader(
        environment: { ["BACKEND_PORT": "18080", "API_KEY_HASH": String(repeating: "ab", count: 32)][$0] },
        readFile: { path in
            guard path == "/secrets/jwt.secret" || path == "manifests/jwt.secret" else {
                throw CocoaError(.fileNoSuchFile)
            }
            return "a-secret-of-at-least-thirty-two-bytes!!\n"
        })

    func testEveryProblemIsReportedWithItsFileAndLine() throws {
        let yaml = """
            upstreams:
              - id: backend
                targets:
                  - url: ftp://nowhere
              - id: other
                targets: [{ url: "http://127.0.0.1:1" }]
                retries: many
            routes:
              - id: a
                upstream: missing
              - id: b
                upstream: other
                policies:
                  - type: rate_limit
                    requests: 0
              - id: b
                upstream: other
                colour: blue
              - id: c
                upstream: other
                cache: { ttl: soon }
            """
        XCTAssertThrowsError(try loader.parse([("routes.yaml", yaml)])) { error in
            let lines = (error as! ConfigErrors).errors.map(\.description)
            XCTAssertEqual(lines, [
                "routes.yaml:4: target url 'ftp://nowhere' must look like http://HOST:PORT",
                "routes.yaml:7: retries must be an integer >= 0",
                "routes.yaml:15: rate_limit.requests: must be at least 1",
                "routes.yaml:18: unknown key 'colour' in a route (expected one of: cache, id, match, policies, split, sticky, strip_prefix, underscores_in_headers, upstream)",
                "routes.yaml:21: ttl 'soon' is not a duration (like 500ms, 30s, 5m)",
                "routes.yaml:9: route 'a' names unknown upstream 'missing'",
            ])
        }
    }

    func testCrossReferencesAcrossFilesNameTheDuplicate() throws {
        let first = "upstreams:\n  - id: u\n    targets: [{ url: \"http://127.0.0.1:1\" }]\nroutes:\n  - id: r\n    upstream: u\n"
        let second = "routes:\n  - id: x\n    upstream: u\n  - id: r\n    upstream: u\n"
        XCTAssertThrowsError(try loader.parse([("a.yaml", first), ("b.yaml", second)])) { error in
            XCTAssertEqual((error as! ConfigErrors).errors.map(\.description), ["b.yaml:4: duplicate route id 'r'"])
        }
    }

    func testEnvironmentsMustAgreeAcrossFiles() {
        XCTAssertThrowsError(try loader.parse([("a.yaml", "environment: prod\n"), ("b.yaml", "environment: staging\n")])) { error in
            XCTAssertEqual((error as! ConfigErrors).errors.map(\.description),
                           ["b.yaml:1: environment 'staging' differs from 'prod' named at a.yaml:1"])
        }
    }

    func testPolicyOptionsAreValidatedAtLoad() {
        let yaml = """
            upstreams: [{ id: u, targets: [{ url: "http://127.0.0.1:1" }] }]
            routes:
              - id: r
                upstream: u
                policies:
                  - type: jwt
                    keys:
                      - { alg: HS256, secret: short }
                  - type: api_key
                    keys: [{ consumer: c, sha256: nothex }]
                  - type: headers
                    request: { set: { Content-Length: "1" } }
                  - type: teleport
            """
        XCTAssertThrowsError(try loader.parse([("p.yaml", yaml)])) { error in
            let lines = (error as! ConfigErrors).errors.map(\.description)
            XCTAssertEqual(lines.count, 1, "the route fails at its first bad policy: \(lines)")
            XCTAssertTrue(lines[0].hasPrefix("p.yaml:8: jwt.keys[0]: an HS256 secret needs at least 32 bytes"), lines[0])
        }
        for (policy, expected) in [
            ("{ type: api_key, keys: [{ consumer: c, sha256: nothex }] }", "p.yaml:5: api_key.keys[0].sha256: expected 64 hex digits"),
            ("{ type: headers, request: { set: { Content-Length: \"1\" } } }", "p.yaml:5: headers.request.set: 'Content-Length' frames the message"),
            ("{ type: teleport }", "p.yaml:5: unknown policy type 'teleport'"),
            ("{ type: cors, allow_origins: [\"example.com\"] }", "p.yaml:5: cors.allow_origins: 'example.com' is not an origin"),
        ] {
            let yaml = "upstreams: [{ id: u, targets: [{ url: \"http://127.0.0.1:1\" }] }]\nroutes:\n  - id: r\n    upstream: u\n    policies: [\(policy)]\n"
            XCTAssertThrowsError(try loader.parse([("p.yaml", yaml)])) { error in
                let line = (error as! ConfigErrors).errors.first?.description ?? ""
                XCTAssertTrue(line.hasPrefix(expected), "\(line) does not start with \(expected)")
            }
        }
    }

    func testSecretReferencesAreResolvedBeforeAnythingIsSigned() throws {
        let yaml = """
            environment: prod
            upstreams: [{ id: u, targets: [{ url: "http://127.0.0.1:${BACKEND_PORT}" }] }]
            routes:
              - id: r
                upstream: u
                policies:
                  - type: jwt
                    keys: [{ alg: HS256, secret: "${file:jwt.secret}" }]
                  - type: api_key
                    keys: [{ consumer: c, sha256: "${API_KEY_HASH}" }]
                  - type: headers
                    request: { set: { X-Literal: "$${NOT_A_REFERENCE}" } }
            """
        let manifest = try loader.parse([("manifests/main.yaml", yaml)])
        XCTAssertEqual(manifest.environment, "prod")
        XCTAssertEqual(manifest.config.upstreams[0].targets[0].port, 18080)
        guard case .jwt(let jwt) = manifest.config.routes[0].policies[0] else { return XCTFail() }
        XCTAssertEqual(jwt.keys[0].material, .secret("a-secret-of-at-least-thirty-two-bytes!!"))
        guard case .headers(let headers) = manifest.config.routes[0].policies[2] else { return XCTFail() }
        XCTAssertEqual(headers.request, [.set(name: "X-Literal", value: "${NOT_A_REFERENCE}")])

        XCTAssertThrowsError(try loader.parse([("m.yaml", "upstreams:\n  - id: u\n    targets: [{ url: \"http://h:${NOPE}\" }]\n")])) { error in
            XCTAssertEqual((error as! ConfigErrors).errors.map(\.description),
                           ["m.yaml:3: ${NOPE}: the environment variable is not set"])
        }
    }

    func testCanonicalBytesIgnoreKeyOrderCommentsAndFileLayout() throws {
        let together = """
            # one file
            upstreams:
              - id: u
                targets: [{ url: "http://127.0.0.1:1", weight: 2, tags: { region: eu, zone: a } }]
                timeouts: { connect: 2s, read: 30s }
            routes:
              - id: r1
                match: { path_prefix: /api, methods: [GET] }
                upstream: u
                cache: { ttl: 30s }
              - id: r2
                upstream: u
            """
        let first = """
            routes:
              - upstream: u
                cache: { ttl: 30000ms }
                id: r1
                match: { methods: [get], path_prefix: /api }
            upstreams:
              - timeouts: { read: 30s, connect: 2000ms }   # reordered
                id: u
                targets: [{ tags: { zone: a, region: eu }, weight: 2, url: "http://127.0.0.1:1/" }]
            """
        let second = "routes:\n  - { upstream: u, id: r2 }\n"
        let a = try loader.parse([("all.yaml", together)]).config
        let b = try loader.parse([("10-first.yaml", first), ("20-second.yaml", second)]).config
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.canonicalBytes, b.canonicalBytes)
        XCTAssertEqual(a.digest, b.digest)

        var changed = b
        changed.routes.swapAt(0, 1)
        XCTAssertNotEqual(changed.digest, a.digest, "route order is content: it breaks ties between routes")
        XCTAssertEqual(try CanonicalEncoding.decode(GatewayConfig.self, from: a.canonicalBytes), a)
    }

    func testARouteSaysWhetherItKeepsUnderscoredFieldsOrLeavesItToTheNode() throws {
        let yaml = """
            upstreams:
              - { id: u, targets: [{ url: "http://127.0.0.1:1" }] }
            routes:
              - { id: keeps, upstream: u, underscores_in_headers: true }
              - { id: drops, upstream: u, underscores_in_headers: false }
              - { id: node, upstream: u }
            """
        let config = try loader.parse([("u.yaml", yaml)]).config
        XCTAssertEqual(config.routes.map(\.underscoresInHeaders), [true, false, nil])
        XCTAssertEqual(try CanonicalEncoding.decode(GatewayConfig.self, from: config.canonicalBytes), config)
        XCTAssertFalse(String(decoding: CanonicalEncoding.encode(config.routes[2]), as: UTF8.self).contains("underscores"),
                       "a route without the key encodes as before, so earlier digests stay as they were")
        let wrong = yaml.replacingOccurrences(of: "underscores_in_headers: true", with: "underscores_in_headers: sometimes")
        XCTAssertThrowsError(try loader.parse([("u.yaml", wrong)])) { error in
            let errors = (error as! ConfigErrors).errors.map(\.description)
            XCTAssertEqual(errors.count, 1)
            XCTAssertTrue(errors.first?.hasPrefix("u.yaml:4: ") == true, "\(errors)")
        }
    }

    func testACacheRuleWithEveryField() throws {
        let yaml = """
            upstreams:
              - { id: u, targets: [{ url: "http://127.0.0.1:1" }] }
            routes:
              - id: r
                upstream: u
                cache:
                  ttl: 30s
                  methods: [get, HEAD]
                  statuses: [200, 404]
                  max_object_size: 1MiB
                  key: { host: false, query_ignore: [utm_*], headers: [Accept-Language] }
              - { id: plain, upstream: u, cache: {} }
            """
        let config = try loader.parse([("c.yaml", yaml)]).config
        XCTAssertEqual(config.routes[0].cache, CacheRule(
            ttl: .seconds(30), override: false, methods: ["GET", "HEAD"], statuses: [200, 404], maxObjectSize: 1 << 20,
            key: CacheKeyRule(method: true, host: false, query: nil, queryIgnore: ["utm_*"], headers: ["Accept-Language"])))
        XCTAssertEqual(config.routes[1].cache, CacheRule(ttl: nil, override: false))
        XCTAssertEqual(try CanonicalEncoding.decode(GatewayConfig.self, from: config.canonicalBytes), config)
        XCTAssertFalse(String(decoding: config.routes[1].cache.map { CanonicalEncoding.encode($0) } ?? [], as: UTF8.self).contains("methods"),
                       "fields left out are not encoded, so earlier digests stay as they were")

        let wrong = yaml.replacingOccurrences(of: "statuses: [200, 404]", with: "statuses: [200, 99]")
            .replacingOccurrences(of: "query_ignore: [utm_*]", with: "query: [page], query_ignore: [utm_*]")
        XCTAssertThrowsError(try loader.parse([("c.yaml", wrong)])) { error in
            XCTAssertEqual((error as! ConfigErrors).errors.map(\.message), [
                "route 'r': cache: status 99 is not a final status (200-599)",
                "route 'r': cache: key: query and query_ignore exclude each other",
            ])
        }
    }
}
