import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// Claims of test tokens; absent ones are left out of the token.
struct TestClaims: JWTPayload {
    var sub: SubjectClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?

    init(sub: String? = "alice", expiresIn: TimeInterval? = 300, notBefore: TimeInterval? = nil, iss: String? = nil, aud: [String]? = nil) {
        self.sub = sub.map { SubjectClaim(value: $0) }
        self.exp = expiresIn.map { ExpirationClaim(value: Date().addingTimeInterval($0)) }
        self.nbf = notBefore.map { NotBeforeClaim(value: Date().addingTimeInterval($0)) }
        self.iss = iss.map { IssuerClaim(value: $0) }
        self.aud = aud.map { AudienceClaim(value: $0) }
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A signing key of each algorithm, with its public half as PEM and as a JWK, and
/// tokens signed by jwt-kit, an implementation independent of the gateway's.
struct TestSigningKey: Sendable {
    let algorithm: String
    let kid: String
    let publicPEM: String?
    let secret: String?
    let jwk: [String: String]
    let collection: JWTKeyCollection

    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func hs256(kid: String = "hs", secret: String = "a-shared-secret-of-at-least-32-bytes!") async -> TestSigningKey {
        let collection = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let k = Data(secret.utf8).base64URL
        return TestSigningKey(
            algorithm: "HS256", kid: kid, publicPEM: nil, secret: secret,
            jwk: ["kty": "oct", "kid": kid, "k": k], collection: collection
        )
    }

    static func rs256(kid: String = "rs", key: _RSA.Signing.PrivateKey = rsaKey) async throws -> TestSigningKey {
        let collection = await JWTKeyCollection().add(
            rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid)
        )
        let primitives = try Insecure.RSA.PublicKey(backing: key.publicKey).getKeyPrimitives()
        return TestSigningKey(
            algorithm: "RS256", kid: kid, publicPEM: key.publicKey.pemRepresentation, secret: nil,
            jwk: ["kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": primitives.modulus.base64URL, "e": primitives.publicExponent.base64URL],
            collection: collection
        )
    }

    static func es256(kid: String = "es") async throws -> TestSigningKey {
        let key = P256.Signing.PrivateKey()
        let collection = await JWTKeyCollection().add(ecdsa: try ES256PrivateKey(backing: key), kid: JWKIdentifier(string: kid))
        let point = key.publicKey.x963Representation
        return TestSigningKey(
            algorithm: "ES256", kid: kid, publicPEM: key.publicKey.pemRepresentation, secret: nil,
            jwk: ["kty": "EC", "kid": kid, "crv": "P-256", "x": point[1..<33].base64URL, "y": point[33...].base64URL],
            collection: collection
        )
    }

    static func eddsa(kid: String = "ed") async throws -> TestSigningKey {
        let key = Curve25519.Signing.PrivateKey()
        let collection = await JWTKeyCollection().add(eddsa: EdDSA.PrivateKey(backing: key), kid: JWKIdentifier(string: kid))
        return TestSigningKey(
            algorithm: "EdDSA", kid: kid, publicPEM: key.publicKey.pemRepresentation, secret: nil,
            jwk: ["kty": "OKP", "kid": kid, "crv": "Ed25519", "x": key.publicKey.rawRepresentation.base64URL],
            collection: collection
        )
    }

    /// A token with this key's `kid` in its header, or none with `withKid: false`.
    func token(_ claims: TestClaims = TestClaims(), withKid: Bool = true) async throws -> String {
        if withKid {
            return try await collection.sign(claims, kid: JWKIdentifier(string: kid))
        }
        return try await collection.sign(claims)
    }

    /// The policy's `keys:` entry for this key, indented for a list under `keys:`.
    var inlineEntry: String {
        if let secret {
            return "  - { kid: \(kid), alg: HS256, secret: \"\(secret)\" }"
        }
        let indented = publicPEM!.split(separator: "\n").map { "        \($0)" }.joined(separator: "\n")
        return "  - kid: \(kid)\n    alg: \(algorithm)\n    pem: |\n\(indented)"
    }

    /// The same key material claimed to be for another algorithm.
    func relabeled(_ algorithm: String) -> TestSigningKey {
        TestSigningKey(algorithm: algorithm, kid: kid, publicPEM: publicPEM, secret: secret, jwk: jwk, collection: collection)
    }

    var jwkJSON: String {
        "{" + jwk.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}

extension DataProtocol {
    var base64URL: String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
