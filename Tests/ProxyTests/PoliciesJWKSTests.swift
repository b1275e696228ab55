import NIOCore
import XCTest

@testable import Proxy

/// Key rotation at an identity provider, against a real JWKS endpoint on loopback.
final class PoliciesJWKSTests: XCTestCase {
    var server: TestJWKSServer!

    override func setUpWithError() throws {
        server = try TestJWKSServer()
    }

    override func tearDownWithError() throws {
        try server.stop()
    }

    func policy(refresh: String = "1h", minRefetch: String) throws -> any RequestPolicy {
        try makePolicy(
            """
            type: jwt
            jwks_url: \(server.url)
            jwks_refresh: \(refresh)
            jwks_min_refetch: \(minRefetch)
            jwks_timeout: 2s
            """
        )
    }

    func request(_ token: String) -> RequestContext {
        makeRequest(headers: [("Authorization", "Bearer \(token)")])
    }

    /// What the data plane does: wait for a deferred decision, and on `.proceed`
    /// evaluate again so the policy names the consumer.
    func authorize(_ policy: any RequestPolicy, _ token: String) throws -> (PolicyDecision, RequestContext) {
        var context = request(token)
        let decision = try evaluate(policy, &context).settled()
        if decision.isProceed {
            let again = evaluate(policy, &context)
            XCTAssertTrue(again.isProceed, "after the fetch the key is known at once")
            return (again, context)
        }
        return (decision, context)
    }

    func testRotationFromAToBothToBNeedsNoRestart() async throws {
        let keyA = try await TestSigningKey.es256(kid: "key-a")
        let keyB = try await TestSigningKey.rs256(kid: "key-b")
        let tokenA = try await keyA.token(TestClaims(sub: "old-key-user"))
        let tokenB = try await keyB.token(TestClaims(sub: "new-key-user"))
        server.serve([keyA])
        let policy = try policy(minRefetch: "0s")

        let (first, context) = try authorize(policy, tokenA)
        XCTAssertTrue(first.isProceed)
        XCTAssertEqual(context.consumer, "old-key-user")
        XCTAssertEqual(server.fetches.current, 1)

        // The provider publishes B next to A; the first tokens signed by B arrive together,
        // all while the one fetch they cause is still under way.
        server.serve([keyA, keyB])
        server.delay.current = .milliseconds(300)
        var waiting: [PolicyDecision] = []
        for _ in 0..<8 {
            var context = request(tokenB)
            waiting.append(evaluate(policy, &context))
        }
        XCTAssertTrue(waiting.allSatisfy(\.isDeferred))
        for decision in waiting {
            XCTAssertTrue(try decision.settled().isProceed)
        }
        XCTAssertEqual(server.fetches.current, 2, "concurrent requests for one unknown kid share one fetch")
        server.delay.current = .zero
        let (afterB, contextB) = try authorize(policy, tokenB)
        XCTAssertTrue(afterB.isProceed)
        XCTAssertEqual(contextB.consumer, "new-key-user")
        var stillA = request(tokenA)
        XCTAssertTrue(evaluate(policy, &stillA).isProceed, "a known key is checked without waiting")
        XCTAssertEqual(server.fetches.current, 2)

        // The provider retires A. Once the gateway has fetched again, A's tokens fail.
        server.serve([keyB])
        let unknown = try await TestSigningKey.eddsa(kid: "key-c").token()
        XCTAssertEqual(try authorize(policy, unknown).0.status, .unauthorized)
        XCTAssertEqual(server.fetches.current, 3)
        XCTAssertEqual(try authorize(policy, tokenA).0.status, .unauthorized)
        XCTAssertTrue(try authorize(policy, tokenB).0.isProceed)
    }

    func testKnownKidNeverWaitsForAFetchInFlight() async throws {
        let keyA = try await TestSigningKey.eddsa(kid: "key-a")
        server.serve([keyA])
        let policy = try policy(minRefetch: "0s")
        let firstToken = try await keyA.token()
        XCTAssertTrue(try authorize(policy, firstToken).0.isProceed)

        server.delay.current = .milliseconds(800)
        var unknown = request(try await TestSigningKey.eddsa(kid: "key-x").token())
        let slowFetch = evaluate(policy, &unknown)
        XCTAssertTrue(slowFetch.isDeferred)

        var known = request(try await keyA.token())
        let started = ContinuousClock.now
        XCTAssertTrue(evaluate(policy, &known).isProceed)
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(200))
        XCTAssertEqual(try slowFetch.settled().status, .unauthorized)
    }

    func testMadeUpKidsCannotForceFetches() async throws {
        let keyA = await TestSigningKey.hs256(kid: "key-a")
        server.serve([keyA])
        let policy = try policy(minRefetch: "1h")
        let firstToken = try await keyA.token()
        XCTAssertTrue(try authorize(policy, firstToken).0.isProceed)
        XCTAssertEqual(server.fetches.current, 1)

        for index in 0..<20 {
            let forged = try await TestSigningKey.hs256(kid: "forged-\(index)").token()
            var context = request(forged)
            let decision = evaluate(policy, &context)
            XCTAssertFalse(decision.isDeferred)
            XCTAssertEqual(decision.status, .unauthorized)
        }
        XCTAssertEqual(server.fetches.current, 1)
    }

    func testBackgroundRefreshPicksUpANewKeyAndSurvivesAnOutage() async throws {
        let keyA = try await TestSigningKey.es256(kid: "key-a")
        let keyB = try await TestSigningKey.es256(kid: "key-b")
        server.serve([keyA])
        let policy = try policy(refresh: "100ms", minRefetch: "1h")
        let firstToken = try await keyA.token()
        XCTAssertTrue(try authorize(policy, firstToken).0.isProceed)

        server.serve([keyA, keyB])
        let tokenB = try await keyB.token()
        let deadline = ContinuousClock.now + .seconds(5)
        var accepted = false
        while !accepted, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            // Unknown kids start no fetch of their own here (min_refetch 1h); they may
            // only join a background refresh already in flight.
            var context = request(tokenB)
            accepted = try evaluate(policy, &context).settled().isProceed
        }
        XCTAssertTrue(accepted, "the background refresh brought key B")
        let fetchesSoFar = server.fetches.current
        XCTAssertLessThanOrEqual(fetchesSoFar, 2 + 5_000 / 100, "one fetch per refresh period, none per request")

        try server.stop()
        try await Task.sleep(for: .milliseconds(350))
        var context = request(try await keyA.token())
        XCTAssertTrue(evaluate(policy, &context).isProceed, "the last good keys stay while the provider is down")
        server = try TestJWKSServer()
    }
}
