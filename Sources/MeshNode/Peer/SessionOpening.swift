import Gossip

/// The request that turns a stream into a peer session: the asker's token and the gossip
/// address it is known by. Sent as an ordinary stream request (kind 6, sealed on the stream
/// channel and checked by the replay guard), so a connection whose first frame does not open
/// is refused and counted as any stream is.
public struct SessionOpening: Equatable, Sendable {
    public var token: UInt64
    public var asker: NodeAddress

    public init(token: UInt64, asker: NodeAddress) {
        self.token = token
        self.asker = asker
    }

    /// token (u64, big endian) | the asker's address as text (UTF-8, the rest)
    var bytes: [UInt8] {
        withUnsafeBytes(of: token.bigEndian, Array.init) + Array(asker.description.utf8)
    }

    init?(_ body: ArraySlice<UInt8>) {
        guard body.count > 8, let text = String(validating: body.dropFirst(8), as: UTF8.self),
              let asker = NodeAddress(text), asker.description == text else { return nil }
        token = body.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self.asker = asker
    }
}

/// The answerer's acceptance: the asker's token echoed (which proves the reply fresh without
/// the replay guard) and the answerer's own.
public struct SessionAcceptance: Equatable, Sendable {
    public var askerToken: UInt64
    public var answererToken: UInt64

    public init(askerToken: UInt64, answererToken: UInt64) {
        self.askerToken = askerToken
        self.answererToken = answererToken
    }

    var bytes: [UInt8] {
        withUnsafeBytes(of: askerToken.bigEndian, Array.init) + withUnsafeBytes(of: answererToken.bigEndian, Array.init)
    }

    init?(_ bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        askerToken = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        answererToken = bytes.dropFirst(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
