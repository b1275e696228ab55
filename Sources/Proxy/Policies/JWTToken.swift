import ManagerCore
import Foundation

/// A JWS in compact form (`header.payload.signature`), decoded but not yet verified.
struct JWTToken: Sendable {
    struct Header: Decodable, Sendable {
        var alg: String
        var kid: String?
        var crit: [String]?
    }

    enum ParseError: Error {
        case malformed
    }

    let header: Header
    let claims: JWTClaims
    let signature: [UInt8]
    let signingInput: Substring

    init(_ token: Substring, consumerClaim: String) throws {
        let parts = token.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]),
            let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw ParseError.malformed }
        let decoder = JSONDecoder()
        header = try decoder.decode(Header.self, from: Data(headerBytes))
        decoder.userInfo[JWTClaims.consumerClaim] = consumerClaim
        claims = try decoder.decode(JWTClaims.self, from: Data(payloadBytes))
        self.signature = signature
        signingInput = token[..<parts[1].endIndex]
    }
}

/// The claims the gateway checks, read from the payload in one pass. `exp` and `nbf`
/// must be numbers when present; an `iss` or `aud` of another shape matches nothing.
struct JWTClaims: Decodable, Sendable {
    /// The name of the claim that names the consumer, given in the decoder's `userInfo`.
    static let consumerClaim = CodingUserInfoKey(rawValue: "consumerClaim")!

    var exp: Double?
    var nbf: Double?
    var iss: String?
    var aud: [String]
    var consumer: String?

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let claims = try decoder.container(keyedBy: Key.self)
        exp = try claims.decodeIfPresent(Double.self, forKey: Key("exp"))
        nbf = try claims.decodeIfPresent(Double.self, forKey: Key("nbf"))
        iss = (try? claims.decodeIfPresent(String.self, forKey: Key("iss"))) ?? nil
        if let single = (try? claims.decodeIfPresent(String.self, forKey: Key("aud"))) ?? nil {
            aud = [single]
        } else {
            aud = ((try? claims.decodeIfPresent([String].self, forKey: Key("aud"))) ?? nil) ?? []
        }
        let consumerKey = Key(decoder.userInfo[Self.consumerClaim] as? String ?? "sub")
        if let name = (try? claims.decodeIfPresent(String.self, forKey: consumerKey)) ?? nil {
            consumer = name
        } else if let number = (try? claims.decodeIfPresent(Double.self, forKey: consumerKey)) ?? nil {
            consumer = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        }
    }
}
