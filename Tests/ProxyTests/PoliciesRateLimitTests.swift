import Foundation
import NIOHTTP1
import ManagerCore
import XCTest

@testable import Proxy

final class PoliciesRateLimitTests: XCTestCase {
    let clock = Locked<UInt64>(1_000_000_000)
    let store = TokenBucketStore()

    func policy(_ options: String) throws -> RateLimit {
        let clock = clock
        guard case .rateLimit(let config) = try policyConfig("type: rate_limit\n" + options) else {
            throw UnexpectedPolicy()
        }
        return RateLimit(
            config,
            logger: testBuildContext.logger,
            clock: { clock.current },
            store: store
        )
    }

    func advance(seconds: Double) {
        clock.update { $0 += UInt64(seconds * 1e9) }
    }

    func testBurstThen429WithRetryAfterAndRateLimitHeaders() throws {
        let policy = try policy("requests: 3\nper: 1m")
        for expectedRemaining in [2, 1, 0] {
            var context = makeRequest()
            XCTAssertTrue(evaluate(policy, &context).isProceed)
            let headers = responseHeaders(policy, context)
            XCTAssertEqual(headers.first(name: "RateLimit-Limit"), "3")
            XCTAssertEqual(headers.first(name: "RateLimit-Remaining"), String(expectedRemaining))
        }
        var refused = makeRequest()
        let response = try XCTUnwrap(evaluate(policy, &refused).response)
        XCTAssertEqual(response.status, .tooManyRequests)
        XCTAssertEqual(response.headers.first(name: "Retry-After"), "20", "one token every 20 s")
        XCTAssertEqual(response.headers.first(name: "RateLimit-Remaining"), "0")
        XCTAssertEqual(response.headers.first(name: "RateLimit-Reset"), "60")
        XCTAssertTrue(response.bodyText.contains("rate_limited"))
    }

    func testTokensRefillOverTime() throws {
        let policy = try policy("requests: 10\nper: 1s\nburst: 2")
        var context = makeRequest()
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertEqual(evaluate(policy, &context).status, .tooManyRequests)
        advance(seconds: 0.05)
        XCTAssertEqual(evaluate(policy, &context).status, .tooManyRequests, "half a token is not a token")
        advance(seconds: 0.05)
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        advance(seconds: 60)
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertEqual(evaluate(policy, &context).status, .tooManyRequests, "refill stops at the burst size")
    }

    func testConsumersClientsAndRoutesHaveTheirOwnBuckets() throws {
        let policy = try policy("requests: 1\nper: 1h")
        var alice = makeRequest(client: "192.0.2.1")
        alice.consumer = "alice"
        XCTAssertTrue(evaluate(policy, &alice).isProceed)
        XCTAssertEqual(evaluate(policy, &alice).status, .tooManyRequests)

        var aliceElsewhere = makeRequest(client: "192.0.2.99")
        aliceElsewhere.consumer = "alice"
        XCTAssertEqual(evaluate(policy, &aliceElsewhere).status, .tooManyRequests, "a consumer is limited wherever it connects from")

        var bob = makeRequest(client: "192.0.2.1")
        bob.consumer = "bob"
        XCTAssertTrue(evaluate(policy, &bob).isProceed)

        var anonymous = makeRequest(client: "192.0.2.1")
        XCTAssertTrue(evaluate(policy, &anonymous).isProceed)
        XCTAssertEqual(evaluate(policy, &anonymous).status, .tooManyRequests)
        var otherAddress = makeRequest(client: "192.0.2.2")
        XCTAssertTrue(evaluate(policy, &otherAddress).isProceed)

        var otherRoute = makeRequest(route: "route-2", client: "192.0.2.1")
        XCTAssertTrue(evaluate(policy, &otherRoute).isProceed)
    }

    func testAHotSwapOfAnUnchangedLimitKeepsTheBuckets() throws {
        var context = makeRequest()
        let before = try policy("requests: 2\nper: 1h")
        XCTAssertTrue(evaluate(before, &context).isProceed)
        XCTAssertTrue(evaluate(before, &context).isProceed)

        let reloaded = try policy("requests: 2\nper: 1h")
        XCTAssertEqual(evaluate(reloaded, &context).status, .tooManyRequests)

        let raised = try policy("requests: 5\nper: 1h")
        XCTAssertTrue(evaluate(raised, &context).isProceed, "a changed limit starts with fresh buckets")
    }

    func testRefilledBucketsAreDropped() throws {
        let policy = try policy("requests: 1\nper: 1s")
        for index in 0..<300 {
            var context = makeRequest(client: "10.0.\(index / 250).\(index % 250)")
            _ = evaluate(policy, &context)
        }
        XCTAssertEqual(store.count, 300)
        advance(seconds: 0.5)
        store.sweep(now: clock.current)
        XCTAssertEqual(store.count, 300, "half-empty buckets are kept")
        advance(seconds: 0.5)
        store.sweep(now: clock.current)
        XCTAssertEqual(store.count, 0)
    }

    func testBucketsAreExactAcrossThreads() throws {
        let policy = try policy("requests: 1000\nper: 1h")
        let allowed = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<250 {
                var context = makeRequest()
                if evaluate(policy, &context).isProceed {
                    allowed.update { $0 += 1 }
                }
            }
        }
        XCTAssertEqual(allowed.current, 1000)
        var context = makeRequest()
        XCTAssertEqual(evaluate(policy, &context).status, .tooManyRequests)
    }
}

struct UnexpectedPolicy: Error {}
