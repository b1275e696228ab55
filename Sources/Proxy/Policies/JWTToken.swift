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
    let claims: [String: JSONValue]
    let signature: [UInt8]
    let signingInput: Substring

    init(_ token: Substring) throws {
        let parts = token.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]),
            let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw ParseError.malformed }
        let decoder = JSONDecoder()
        header = try decoder.decode(Header.self, from: Data(headerBytes))
        claims = try decoder.decode([String: JSONValue].self, from: Data(payloadBytes))
        self.signature = signature
        signingInput = token[..<parts[1].endIndex]
    }
}

/// Any JSON value, for claims whose shape the manifest decides (`consumer_claim`).
enum JSONValue: Decodable, Equatable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// A string, or each string of an array (as `aud` may be either).
    var strings: [String] {
        switch self {
        case .string(let value): [value]
        case .array(let values): values.compactMap { if case .string(let value) = $0 { value } else { nil } }
        default: []
        }
    }

    /// The claim as a consumer name: a string as is, a whole number without decimals.
    var consumerName: String? {
        switch self {
        case .string(let value): value
        case .number(let value) where value == value.rounded() && abs(value) < 1e15: String(Int64(value))
        case .number(let value): String(value)
        default: nil
        }
    }
}
