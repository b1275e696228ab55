import Sodium
/// What a signature covers besides the content: which mesh the content is for, where it
/// sits in that environment's version line, and who signed it.
public struct BundleHeader: Sendable, Equatable, Codable {
    public static let currentFormat = 1

    public var format: Int
    public var environment: String
    /// Strictly increasing per environment.
    public var version: UInt64
    /// The digest of the version this one follows; nil for an environment's first.
    public var parentDigest: ContentDigest?
    public var contentDigest: ContentDigest
    public var createdAtMillis: Int64
    public var keyID: String
    /// The name of the admin token that asked for it.
    public var author: String
    /// One line: what the version changed, or where it came from (rollback, promote).
    public var summary: String

    public init(environment: String, version: UInt64, parentDigest: ContentDigest?, contentDigest: ContentDigest,
                createdAtMillis: Int64, keyID: String, author: String, summary: String) {
        self.format = Self.currentFormat
        self.environment = environment
        self.version = version
        self.parentDigest = parentDigest
        self.contentDigest = contentDigest
        self.createdAtMillis = createdAtMillis
        self.keyID = keyID
        self.author = author
        self.summary = summary
    }
}

/// A signed config version: the header's canonical bytes, the content's canonical bytes and
/// an Ed25519 signature over the header (which names the content's digest).
///
/// Byte form: `MGB1`, then the header and the content each as a 4-byte big-endian length
/// followed by the bytes, then the 64-byte signature.
public struct ConfigBundle: Sendable, Equatable {
    public let header: BundleHeader
    public let headerBytes: [UInt8]
    public let content: [UInt8]
    public let signature: [UInt8]

    static let magic: [UInt8] = Array("MGB1".utf8)
    /// Prefixed to the header bytes before signing, so a signature over anything else never verifies as a bundle's.
    static let signingContext: [UInt8] = Array("meshgate config bundle\n".utf8)
    /// The largest header accepted; content is bounded by the frame that carries it.
    static let maxHeaderBytes = 16 << 10

    init(header: BundleHeader, headerBytes: [UInt8], content: [UInt8], signature: [UInt8]) {
        self.header = header
        self.headerBytes = headerBytes
        self.content = content
        self.signature = signature
    }

    public var bytes: [UInt8] {
        var out = Self.magic
        out.reserveCapacity(4 + 8 + headerBytes.count + content.count + signature.count)
        Self.appendLength(headerBytes.count, to: &out)
        out += headerBytes
        Self.appendLength(content.count, to: &out)
        out += content
        out += signature
        return out
    }

    /// Splits the byte form; the signature is not checked here (`BundleVerifier` does).
    public static func parse(_ bytes: [UInt8]) throws(BundleRejection) -> ConfigBundle {
        var at = 0
        func take(_ count: Int) throws(BundleRejection) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - at >= count else { throw .malformed }
            defer { at += count }
            return bytes[at..<(at + count)]
        }
        func length() throws(BundleRejection) -> Int {
            let b = try take(4)
            return b.reduce(0) { $0 << 8 | Int($1) }
        }
        guard Array(try take(4)) == magic else { throw .malformed }
        let headerLength = try length()
        guard headerLength <= maxHeaderBytes else { throw .malformed }
        let headerBytes = Array(try take(headerLength))
        let content = Array(try take(try length()))
        let signature = Array(try take(Ed25519.signatureBytes))
        guard at == bytes.count else { throw .malformed }
        guard let header = try? CanonicalEncoding.decode(BundleHeader.self, from: headerBytes),
              header.format == BundleHeader.currentFormat else { throw .malformed }
        return ConfigBundle(header: header, headerBytes: headerBytes, content: content, signature: signature)
    }

    static func appendLength(_ count: Int, to out: inout [UInt8]) {
        out += [UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16),
                UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)]
    }
}
