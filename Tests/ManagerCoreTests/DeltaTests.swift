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

        let rebuilt = try ConfigBundle.rebuild(delta: delta, base: base, baseContent: base.canonicalBytes, baseDigest: base.digest).bundle
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
        XCTAssertThrowsError(try ConfigBundle.rebuild(delta: delta, base: config(routes: 19), baseContent: config(routes: 19).canonicalBytes, baseDigest: config(routes: 19).digest)) { error in
            XCTAssertEqual(error as? BundleRejection, .contentMismatch)
        }
        XCTAssertThrowsError(try ConfigBundle.rebuild(delta: Array(delta.dropLast()), base: base, baseContent: base.canonicalBytes, baseDigest: base.digest)) { error in
            XCTAssertEqual(error as? BundleRejection, .malformed)
        }

        var reordered = base
        reordered.routes.swapAt(0, 1)
        XCTAssertNil(ConfigDelta(from: base, to: reordered), "a pure reorder needs the full bundle")
        XCTAssertEqual(ConfigDelta(from: base, to: base)?.apply(to: base), base)
    }

    func testDeltasRebuildRandomEdits() throws {
        var generator = SplitMix(seed: 7)
        // Ids and paths with the characters the content's JSON escapes or nests.
        let awkward = ["/a,b", "/c]d", "/e}{f", "/q\"uote", "/back\\slash", "/tab\tnew\nline", "/é/ü", "/[x]"]
        for _ in 0..<200 {
            let base = config(routes: Int.random(in: 0...30, using: &generator))
            var next = base
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                switch Int.random(in: 0...4, using: &generator) {
                case 0 where !next.routes.isEmpty:
                    next.routes.remove(at: Int.random(in: 0..<next.routes.count, using: &generator))
                case 1:
                    let id = "new-\(UInt32.random(in: 0...UInt32.max, using: &generator))"
                    let path = awkward.randomElement(using: &generator)!
                    next.routes.insert(RouteConfig(id: id, match: RouteMatch(hosts: [], path: .prefix(path), methods: [], headers: []), destination: .upstream("u")),
                                       at: Int.random(in: 0...next.routes.count, using: &generator))
                case 2:
                    let id = "up-\(UInt32.random(in: 0...UInt32.max, using: &generator))"
                    next.upstreams.insert(UpstreamConfig(id: id, targets: [TargetConfig(host: "10.0.0.1", port: 80)]),
                                          at: Int.random(in: 0...next.upstreams.count, using: &generator))
                case 3:
                    next.upstreams[0].retries += 1
                default:
                    guard !next.routes.isEmpty else { continue }
                    next.routes[Int.random(in: 0..<next.routes.count, using: &generator)].stripPrefix.toggle()
                }
            }
            XCTAssertEqual(next.canonicalBytes(reusing: base, content: base.canonicalBytes), next.canonicalBytes)
            var reordered = next
            reordered.routes.shuffle(using: &generator)
            XCTAssertEqual(reordered.canonicalBytes(reusing: base, content: base.canonicalBytes), reordered.canonicalBytes)
            let delta = try XCTUnwrap(ConfigDelta(from: base, to: next), "edits without a reorder are always expressible")
            XCTAssertEqual(delta.apply(to: base), next)
            // Rebuilt by splicing the base's bytes: the same bytes the manager signed.
            let bundle = key.sign(content: next, environment: "prod", version: 2, parent: base.digest,
                                  createdAtMillis: 0, author: "a", summary: "")
            guard let bytes = bundle.delta(from: base) else { continue }
            let rebuilt = try ConfigBundle.rebuild(delta: bytes, base: base, baseContent: base.canonicalBytes, baseDigest: base.digest)
            XCTAssertEqual(rebuilt.bundle.content, next.canonicalBytes)
            XCTAssertEqual(rebuilt.config, next)
        }
    }

    func testADeltaWhoseUpsertsNameNoEntityOrLoopIsRefused() throws {
        let base = config(routes: 3)
        var next = base
        next.routes[1].stripPrefix = true
        var delta = try XCTUnwrap(ConfigDelta(from: base, to: next))
        delta.routes.upserted[0].after = "nowhere"
        XCTAssertNil(delta.apply(to: base))
        // Two upserts with one id, the second following the first: a loop, not a hang.
        var looping = try XCTUnwrap(ConfigDelta(from: base, to: next))
        let entity = looping.routes.upserted[0].entity
        looping.routes.upserted = [.init(after: nil, entity: entity), .init(after: entity.id, entity: entity)]
        XCTAssertNil(looping.apply(to: base))
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
