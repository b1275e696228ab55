import Sodium
import Foundation

/// A 32-byte symmetric key that encrypts and authenticates gossip.
public struct ClusterKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case notBase64
        case wrongLength(Int)

        public var description: String {
            switch self {
            case .notBase64: return "cluster key is not valid base64"
            case .wrongLength(let n): return "cluster key must be 32 bytes, got \(n)"
            }
        }
    }

    public init(bytes: [UInt8]) throws {
        guard bytes.count == Sodium.keyBytes else { throw Error.wrongLength(bytes.count) }
        self.bytes = bytes
    }

    /// Parses the base64 text of a key file or API request; surrounding whitespace is ignored.
    public init(base64: String) throws {
        let trimmed = base64.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed) else { throw Error.notBase64 }
        try self.init(bytes: Array(data))
    }

    public static func generate() -> ClusterKey {
        try! ClusterKey(bytes: Sodium.randomBytes(Sodium.keyBytes))
    }

    public var base64: String { Data(bytes).base64EncodedString() }

    /// First 8 bytes of the BLAKE2b-256 hash of the key, hex: safe to show and log.
    public var fingerprint: String { Array(Sodium.hash(bytes).prefix(8)).hexString }
}
