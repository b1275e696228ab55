import Crypto
import CryptoExtras
import Foundation

/// One verification key, bound to one algorithm so that a token cannot choose how its
/// key is used (an RSA public key is never taken as an HMAC secret).
public struct JWTVerificationKey: Sendable {
    enum Material: Sendable {
        case hmac(SymmetricKey)
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    public let kid: String?
    public let algorithm: JWTSignatureAlgorithm
    let material: Material

    public func isValidSignature(_ signature: [UInt8], for signingInput: Substring.UTF8View) -> Bool {
        let input = Array(signingInput)
        switch material {
        case .hmac(let key):
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: SHA256.hash(data: input),
                padding: .insecurePKCS1v1_5
            )
        case .p256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: input)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: input)
        }
    }

    public enum KeyError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let reason): reason
            }
        }
    }

    public static let minimumSecretBytes = 32

    public static func secret(_ secret: String, kid: String?) throws -> JWTVerificationKey {
        guard secret.utf8.count >= minimumSecretBytes else {
            throw KeyError.invalid("an HS256 secret needs at least \(minimumSecretBytes) bytes")
        }
        return JWTVerificationKey(kid: kid, algorithm: .hs256, material: .hmac(SymmetricKey(data: Array(secret.utf8))))
    }

    public static func pem(_ pem: String, algorithm: JWTSignatureAlgorithm, kid: String?) throws -> JWTVerificationKey {
        do {
            let material: Material
            switch algorithm {
            case .hs256:
                throw KeyError.invalid("HS256 takes a 'secret', not a PEM key")
            case .rs256:
                material = .rsa(try _RSA.Signing.PublicKey(pemRepresentation: pem))
            case .es256:
                material = .p256(try P256.Signing.PublicKey(pemRepresentation: pem))
            case .eddsa:
                material = .ed25519(try Curve25519.Signing.PublicKey(pemRepresentation: pem))
            }
            return JWTVerificationKey(kid: kid, algorithm: algorithm, material: material)
        } catch let error as KeyError {
            throw error
        } catch {
            throw KeyError.invalid("not a \(algorithm.rawValue) public key in PEM form (\(error))")
        }
    }
}
