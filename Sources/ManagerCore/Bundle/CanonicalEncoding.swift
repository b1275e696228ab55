import Sodium
import Foundation

/// The one byte form of config content: JSON with sorted keys, no insignificant white
/// space and unescaped slashes. Equal values give equal bytes, whatever key order,
/// comments or file layout the manifest had, so a digest names the content itself.
public enum CanonicalEncoding {
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only types of this module are encoded; none of them can fail to encode.
        return Array(try! encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}

/// The SHA-256 of canonical content.
public struct ContentDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    public init(of bytes: [UInt8]) { hex = Sodium.sha256(bytes).hexString }

    /// From 64 hex digits; nil otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = [UInt8](hex: hex) else { return nil }
        self.hex = bytes.hexString
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = ContentDigest(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 digest"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    /// The first 12 digits, as tables show it.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }
}

extension GatewayConfig {
    public var canonicalBytes: [UInt8] { CanonicalEncoding.encode(self) }
    public var digest: ContentDigest { ContentDigest(of: canonicalBytes) }
}
