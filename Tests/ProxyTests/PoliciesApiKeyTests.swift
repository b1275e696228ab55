import Crypto
import Foundation
import NIOHTTP1
import XCTest

@testable import Proxy

final class PoliciesApiKeyTests: XCTestCase {
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func policy(header: String? = nil) throws -> any RequestPolicy {
        try makePolicy(
            """
            type: api_key
            \(header.map { "header: \($0)" } ?? "")
            keys:
              - consumer: alice
                sha256: \(Self.hash("alice-secret-key"))
              - consumer: bob
                sha256: \(Self.hash("bob-secret-key").uppercased())
            """
        )
    }

    func testValidKeyNamesTheConsumerAndIsNotForwarded() throws {
        let policy = try policy()
        var alice = makeRequest(headers: [("X-API-Key", "alice-secret-key")])
        XCTAssertTrue(evaluate(policy, &alice).isProceed)
        XCTAssertEqual(alice.consumer, "alice")
        XCTAssertFalse(alice.head.headers.contains(name: "X-API-Key"))

        var bob = makeRequest(headers: [("x-api-key", "bob-secret-key")])
        XCTAssertTrue(evaluate(policy, &bob).isProceed)
        XCTAssertEqual(bob.consumer, "bob")
    }

    func testMissingKeyIs401WithChallengeAndJSON() throws {
        var request = makeRequest()
        let response = try XCTUnwrap(evaluate(try policy(), &request).response)
        XCTAssertEqual(response.status, .unauthorized)
        XCTAssertEqual(response.headers.first(name: "WWW-Authenticate"), #"ApiKey header="X-API-Key""#)
        XCTAssertEqual(response.headers.first(name: "Content-Type"), "application/json")
        let body = try JSONSerialization.jsonObject(with: Data(response.bodyText.utf8)) as? [String: String]
        XCTAssertEqual(body?["error"], "unauthorized")
        XCTAssertNil(request.consumer)
    }

    func testWrongKeyIsRejected() throws {
        let policy = try policy()
        for key in ["alice-secret-ke", "alice-secret-key ", "ALICE-SECRET-KEY", ""] {
            var request = makeRequest(headers: [("X-API-Key", key)])
            XCTAssertEqual(evaluate(policy, &request).status, .unauthorized, "key '\(key)'")
            XCTAssertNil(request.consumer)
        }
    }

    func testCustomHeaderName() throws {
        let policy = try policy(header: "apikey")
        var inDefaultHeader = makeRequest(headers: [("X-API-Key", "alice-secret-key")])
        XCTAssertEqual(evaluate(policy, &inDefaultHeader).status, .unauthorized)
        var inConfiguredHeader = makeRequest(headers: [("apikey", "alice-secret-key")])
        XCTAssertTrue(evaluate(policy, &inConfiguredHeader).isProceed)
        XCTAssertEqual(inConfiguredHeader.consumer, "alice")
    }

    func testPlainKeyInsteadOfHashIsRefusedAtLoad() throws {
        XCTAssertThrowsError(
            try makePolicy(
                """
                type: api_key
                keys:
                  - consumer: alice
                    sha256: alice-secret-key
                """
            )
        ) { error in
            XCTAssertEqual(
                "\(error)",
                "gateway.yaml:4: api_key.keys[0].sha256: expected 64 hex digits, the SHA-256 of the key (printf %s KEY | sha256sum)"
            )
        }
    }
}
