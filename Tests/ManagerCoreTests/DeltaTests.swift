import ManagerCore
import Sodium
import XCTest

final class DeltaTests: XCTestCase {
    let key = SigningKey(secretKey: Ed25519.keyPair().secretKey)!

    func config(routes count: Int) -> GatewayConfig {
        GatewayConfig(
            upstreams: [UpstreamConfig(id: "u", targets: [TargetConfig(host: "127.0.0.1", port: 18080)])],
            routes: (0..<count).map { index in
                RouteConfig(id: "route-\(index)",
                            match: RouteMatch(hosts: [], path: .prefix("/r/\(index)"), methods: ["GET"], headers: []),
                            destination: .upstream("u"), cache: CacheRule(ttl: .seconds(30), override: false))
            })
    }

    func testAOneRouteChangeOfTenThousandMovesAFractionOfTheBundle() throws {
        let base = config(routes: 10_000)
        var next = base
        next.routes[4_321].cache = CacheRule(ttl: .seconds(60), override: true)
        next.routes.insert(RouteConfig(id: "fresh", destination: .upstream("u")), at: 17)
        next.routes.remove(at: 9_000)
        let bundle = key.sign(content: next, environment: "prod", version: 2, parent: base.digest,
                              createdAtMillis: 0, author: "a", summary: "")
        let delta = try XCTUnwrap(bundle.delta(from: base))
        XCTAssertLessThan(Double(delta.count), 0.05 * Double(bundle.bytes.count), "\(delta.count) of \(bundle.bytes.count) bytes")

        let rebuilt = try ConfigBundle.rebuild(delta: delta, base: base, baseDigest: base.digest).bundle
        XCTAssertEqual(rebuilt, bundle)
        let verifier = BundleVerifier(trusted: [key.publicKey], environment: "prod")
        XCTAssertEqual(try verifier.verify(rebuilt.bytes, running: 1).config, next)
    }

    func testADeltaOnTheWrongBaseOrAReorderIsNotUsed() throws {
        let base = config(routes: 20)
        var next = base
        next.routes[3].stripPrefix = true
        let delta = try XCTUnwrap(key.sign(content: next, environment: "prod", version: 2, parent: base.digest,
                                           createdAtMillis: 0, author: "a", summary: "").delta(from: base))
        XCTAssertThrowsError(try ConfigBundle.rebuild(delta: delta, base: config(routes: 19), baseDigest: config(routes: 19).digest)) { error in
            XCTAssertEqual(error as? BundleRejection, .contentMismatch)
        }
        XCTAssertThrowsError(try ConfigBundle.rebuild(delta: Array(delta.dropLast()), base: base, baseDigest: base.digest)) { error in
            XCTAssertEqual(error as? BundleRejection, .malformed)
        }

        var reordered = base
        reordered.routes.swapAt(0, 1)
        XCTAssertNil(ConfigDelta(from: base, to: reordered), "a pure reorder needs the full bundle")
        XCTAssertEqual(ConfigDelta(from: base, to: base)?.apply(to: base), base)
    }

    func testDeltasRebuildRandomEdits() throws {
        var generator = SplitMix(seed: 7)
        for _ in 0..<200 {
            let base = config(routes: Int.random(in: 0...30, using: &generator))
            var next = base
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                switch Int.random(in: 0...2, using: &generator) {
                case 0 where !next.routes.isEmpty:
                    next.routes.remove(at: Int.random(in: 0..<next.routes.count, using: &generator))
                case 1:
                    let id = "new-\(UInt32.random(in: 0...UInt32.max, using: &generator))"
                    next.routes.insert(RouteConfig(id: id, destination: .upstream("u")),
                                       at: Int.random(in: 0...next.routes.count, using: &generator))
                default:
                    guard !next.routes.isEmpty else { continue }
                    next.routes[Int.random(in: 0..<next.routes.count, using: &generator)].stripPrefix.toggle()
                }
            }
            if let delta = ConfigDelta(from: base, to: next) {
                XCTAssertEqual(delta.apply(to: base), next)
            } else {
                XCTFail("edits without a reorder are always expressible")
            }
        }
    }
}

/// A seeded generator, so a failing case can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
