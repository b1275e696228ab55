import Crypto
import CryptoExtras
import Foundation

/// The members of a JSON Web Key (RFC 7517) the gateway reads, from a JWKS document or
/// an inline `jwk:` mapping.
public struct JSONWebKey: Codable, Sendable, Equatable {
    public var kty: String?
    public var kid: String?
    public var alg: String?
    public var use: String?
    public var crv: String?
    public var x: String?
    public var y: String?
    public var n: String?
    public var e: String?
    public var k: String?

    public init(kty: String?, kid: String?, alg: String?, use: String?, crv: String?,
                x: String?, y: String?, n: String?, e: String?, k: String?) {
        self.kty = kty; self.kid = kid; self.alg = alg; self.use = use; self.crv = crv
        self.x = x; self.y = y; self.n = n; self.e = e; self.k = k
    }

    public struct Document: Decodable {
        public var keys: [JSONWebKey]
    }

    /// The verification key this JWK describes. Private members, if present, are ignored.
    public func verificationKey() throws -> JWTVerificationKey {
        typealias KeyError = JWTVerificationKey.KeyError
        if let use, use != "sig" {
            throw KeyError.invalid("key use '\(use)' is not 'sig'")
        }
        let declared = try alg.map { name in
            guard let algorithm = JWTSignatureAlgorithm(rawValue: name) else {
                throw KeyError.invalid("unsupported alg '\(name)'")
            }
            return algorithm
        }
        switch kty {
        case "oct":
            guard declared == nil || declared == .hs256 else { throw KeyError.invalid("an 'oct' key is HS256") }
            let secret = try Self.bytes(k, "k")
            guard secret.count >= JWTVerificationKey.minimumSecretBytes else {
                throw KeyError.invalid("an HS256 secret needs at least \(JWTVerificationKey.minimumSecretBytes) bytes")
            }
            return JWTVerificationKey(kid: kid, algorithm: .hs256, material: .hmac(SymmetricKey(data: secret)))
        case "RSA":
            guard declared == nil || declared == .rs256 else { throw KeyError.invalid("an 'RSA' key is RS256 here") }
            let key = try _RSA.Signing.PublicKey(n: try Self.bytes(n, "n"), e: try Self.bytes(e, "e"))
            return JWTVerificationKey(kid: kid, algorithm: .rs256, material: .rsa(key))
        case "EC":
            guard crv == "P-256", declared == nil || declared == .es256 else {
                throw KeyError.invalid("only EC keys on P-256 (ES256) are supported")
            }
            let point: [UInt8] = [0x04] + (try Self.bytes(x, "x")) + (try Self.bytes(y, "y"))
            let key = try P256.Signing.PublicKey(x963Representation: point)
            return JWTVerificationKey(kid: kid, algorithm: .es256, material: .p256(key))
        case "OKP":
            guard crv == "Ed25519", declared == nil || declared == .eddsa else {
                throw KeyError.invalid("only OKP keys on Ed25519 (EdDSA) are supported")
            }
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: try Self.bytes(x, "x"))
            return JWTVerificationKey(kid: kid, algorithm: .eddsa, material: .ed25519(key))
        default:
            throw KeyError.invalid("unsupported key type '\(kty ?? "")'")
        }
    }

    private static func bytes(_ member: String?, _ name: String) throws -> [UInt8] {
        guard let member, let bytes = Base64URL.decode(member), !bytes.isEmpty else {
            throw JWTVerificationKey.KeyError.invalid("member '\(name)' is missing or not base64url")
        }
        return bytes
    }
}

public enum Base64URL {
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Six leftover bits cannot come from a valid encoding.
        return bits < 6 ? output : nil
    }
}
