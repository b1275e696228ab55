import Foundation
import JWTKit
import NIOHTTP1
import XCTest

@testable import Proxy

final class PoliciesJWTTests: XCTestCase {
    func policy(_ keys: [TestSigningKey], extra: String = "") throws -> any RequestPolicy {
        try makePolicy("type: jwt\nkeys:\n" + keys.map(\.inlineEntry).joined(separator: "\n") + "\n" + extra)
    }

    func request(_ token: String) -> RequestContext {
        makeRequest(headers: [("Authorization", "Bearer \(token)")])
    }

    func allKeys() async throws -> [TestSigningKey] {
        [await .hs256(), try await .rs256(), try await .es256(), try await .eddsa()]
    }

    func testEachAlgorithmAcceptsItsTokensAndNamesTheConsumer() async throws {
        let keys = try await allKeys()
        let policy = try policy(keys)
        for key in keys {
            var context = request(try await key.token(TestClaims(sub: "user-\(key.algorithm)")))
            XCTAssertTrue(evaluate(policy, &context).isProceed, key.algorithm)
            XCTAssertEqual(context.consumer, "user-\(key.algorithm)")
        }
    }

    func testTokensWithoutKidAreCheckedAgainstKeysOfTheirAlgorithm() async throws {
        let keys = try await allKeys()
        let policy = try policy(keys)
        for key in keys {
            var context = request(try await key.token(withKid: false))
            XCTAssertTrue(evaluate(policy, &context).isProceed, key.algorithm)
        }
    }

    func testEachAlgorithmRejectsASignatureByAnotherKey() async throws {
        let trusted = try await allKeys()
        let policy = try policy(trusted)
        let impostors: [TestSigningKey] = [
            await .hs256(kid: "hs", secret: "another-secret-of-at-least-32-bytes!!"),
            try await .rs256(kid: "rs", key: .init(keySize: .bits2048)),
            try await .es256(kid: "es"), try await .eddsa(kid: "ed"),
        ]
        for impostor in impostors {
            var context = request(try await impostor.token())
            let response = try XCTUnwrap(evaluate(policy, &context).response, impostor.algorithm)
            XCTAssertEqual(response.status, .unauthorized)
            XCTAssertTrue(response.bodyText.contains("bad_signature"), impostor.algorithm)
            XCTAssertNil(context.consumer)
        }
    }

    func testTamperedPayloadIsRejected() async throws {
        let key = try await TestSigningKey.es256()
        let parts = try await key.token(TestClaims(sub: "alice")).split(separator: ".")
        let forgedPayload = Data(#"{"sub":"admin","exp":9999999999}"#.utf8).base64URL
        var context = request("\(parts[0]).\(forgedPayload).\(parts[2])")
        XCTAssertEqual(evaluate(try policy([key]), &context).status, .unauthorized)
    }

    func testAlgorithmNoneAndDisallowedAlgorithmsAreRejected() async throws {
        let hs = await TestSigningKey.hs256()
        let es = try await TestSigningKey.es256()
        let header = Data(#"{"alg":"none","kid":"hs"}"#.utf8).base64URL
        let payload = Data(#"{"sub":"alice","exp":9999999999}"#.utf8).base64URL
        var unsigned = request("\(header).\(payload).")
        XCTAssertEqual(evaluate(try policy([hs]), &unsigned).status, .unauthorized)

        let onlyES = try policy([es], extra: "algorithms: [ES256]")
        var hsToken = request(try await hs.token())
        let response = try XCTUnwrap(evaluate(onlyES, &hsToken).response)
        XCTAssertTrue(response.bodyText.contains("algorithm_not_allowed"))
    }

    func testExpiredAndNotYetValidTokens() async throws {
        let key = try await TestSigningKey.eddsa()
        let policy = try policy([key], extra: "leeway: 10s")
        var expired = request(try await key.token(TestClaims(expiresIn: -60)))
        XCTAssertTrue(try XCTUnwrap(evaluate(policy, &expired).response).bodyText.contains("token_expired"))
        var withinLeeway = request(try await key.token(TestClaims(expiresIn: -5)))
        XCTAssertTrue(evaluate(policy, &withinLeeway).isProceed)
        var early = request(try await key.token(TestClaims(notBefore: 60)))
        XCTAssertTrue(try XCTUnwrap(evaluate(policy, &early).response).bodyText.contains("token_not_yet_valid"))
        var started = request(try await key.token(TestClaims(notBefore: -1)))
        XCTAssertTrue(evaluate(policy, &started).isProceed)
        var noExpiry = request(try await key.token(TestClaims(expiresIn: nil)))
        XCTAssertTrue(try XCTUnwrap(evaluate(policy, &noExpiry).response).bodyText.contains("no_expiry"))
        var noExpiryAllowed = request(try await key.token(TestClaims(expiresIn: nil)))
        XCTAssertTrue(evaluate(try self.policy([key], extra: "require_exp: false"), &noExpiryAllowed).isProceed)
    }

    func testIssuerAndAudience() async throws {
        let key = try await TestSigningKey.rs256()
        let policy = try policy([key], extra: "issuer: https://idp.example.com\naudience: [orders, billing]")
        var good = request(try await key.token(TestClaims(iss: "https://idp.example.com", aud: ["billing"])))
        XCTAssertTrue(evaluate(policy, &good).isProceed)
        var wrongIssuer = request(try await key.token(TestClaims(iss: "https://evil.example.com", aud: ["orders"])))
        XCTAssertTrue(try XCTUnwrap(evaluate(policy, &wrongIssuer).response).bodyText.contains("wrong_issuer"))
        var wrongAudience = request(try await key.token(TestClaims(iss: "https://idp.example.com", aud: ["shipping"])))
        XCTAssertTrue(try XCTUnwrap(evaluate(policy, &wrongAudience).response).bodyText.contains("wrong_audience"))
        var noAudience = request(try await key.token(TestClaims(iss: "https://idp.example.com")))
        XCTAssertEqual(evaluate(policy, &noAudience).status, .unauthorized)
    }

    func testConsumerFromAConfiguredClaim() async throws {
        let key = await TestSigningKey.hs256()
        let policy = try policy([key], extra: "consumer_claim: iss")
        var context = request(try await key.token(TestClaims(sub: "alice", iss: "tenant-7")))
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertEqual(context.consumer, "tenant-7")
    }

    struct NumericClaims: JWTPayload {
        var uid: Int
        var exp: Double
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    struct TextExpiryClaims: JWTPayload {
        var sub: String
        var exp: String
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func testNumericConsumerClaimAndAnExpiryThatIsNoNumber() async throws {
        let key = await TestSigningKey.hs256()
        let policy = try policy([key], extra: "consumer_claim: uid")
        let numeric = try await key.collection.sign(
            NumericClaims(uid: 42, exp: Date().timeIntervalSince1970 + 60), kid: JWKIdentifier(string: key.kid))
        var context = request(numeric)
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertEqual(context.consumer, "42")

        let textExpiry = try await key.collection.sign(
            TextExpiryClaims(sub: "alice", exp: "tomorrow"), kid: JWKIdentifier(string: key.kid))
        var refused = request(textExpiry)
        XCTAssertTrue(try XCTUnwrap(evaluate(policy, &refused).response).bodyText.contains("malformed_token"))
    }

    func testMissingOrMalformedBearerToken() async throws {
        let policy = try policy([await .hs256()])
        var none = makeRequest()
        let missing = try XCTUnwrap(evaluate(policy, &none).response)
        XCTAssertEqual(missing.status, .unauthorized)
        XCTAssertEqual(missing.headers.first(name: "WWW-Authenticate"), #"Bearer realm="meshgate""#)
        for value in ["Basic YWxpY2U6c2VjcmV0", "Bearer not-a-jwt", "Bearer a.b.c", "Bearer ...."] {
            var context = makeRequest(headers: [("Authorization", value)])
            let response = try XCTUnwrap(evaluate(policy, &context).response, value)
            XCTAssertEqual(response.status, .unauthorized)
            XCTAssertNotEqual(response.headers.first(name: "WWW-Authenticate"), nil)
        }
    }

    func testInlineJWKsOfEachKeyType() async throws {
        let keys = try await allKeys()
        let entries = keys.map { key in
            "  - jwk: { " + key.jwk.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ") + " }"
        }
        let policy = try makePolicy("type: jwt\nkeys:\n" + entries.joined(separator: "\n"))
        for key in keys {
            var context = request(try await key.token())
            XCTAssertTrue(evaluate(policy, &context).isProceed, key.algorithm)
        }
        XCTAssertThrowsError(try makePolicy("type: jwt\nkeys:\n  - jwk: { kty: EC, crv: P-384, x: AA, y: AA }")) { error in
            XCTAssertEqual("\(error)", "gateway.yaml:3: jwt.keys[0]: only EC keys on P-256 (ES256) are supported")
        }
    }

    func testUnknownKidWithoutJWKSIsRejectedAtOnce() async throws {
        let policy = try policy([await .hs256(kid: "one")])
        var context = request(try await TestSigningKey.hs256(kid: "two").token())
        let decision = evaluate(policy, &context)
        XCTAssertFalse(decision.isDeferred)
        XCTAssertTrue(try XCTUnwrap(decision.response).bodyText.contains("unknown_key"))
    }

    func testShortSecretAndPEMOfTheWrongKindAreRefusedAtLoad() async throws {
        XCTAssertThrowsError(try makePolicy("type: jwt\nkeys:\n  - alg: HS256\n    secret: short")) { error in
            XCTAssertEqual("\(error)", "gateway.yaml:3: jwt.keys[0]: an HS256 secret needs at least 32 bytes")
        }
        let es = try await TestSigningKey.es256().relabeled("RS256")
        XCTAssertThrowsError(try makePolicy("type: jwt\nkeys:\n" + es.inlineEntry)) { error in
            XCTAssertTrue("\(error)".hasPrefix("gateway.yaml:3: jwt.keys[0]: not a RS256 public key in PEM form"), "\(error)")
        }
    }
}
