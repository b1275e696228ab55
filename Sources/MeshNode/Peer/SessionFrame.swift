/// One frame of a peer session: the plaintext inside its envelope (channel `session`).
///
///     token (u64) | number (u64) | kind (u8) | request id (u32) | body
///
/// All integers big endian. `token` is the receiver's session token and `number` counts the
/// sender's frames from 0, so a frame is accepted once, in order, and only on its own session
/// (`SessionCipher`). See docs/wire.md, "Peer sessions".
public struct SessionFrame: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        /// The asker's request; the body is opaque to the transport.
        case request = 1
        /// The answer to the request of the same id.
        case reply = 2
        /// The answerer's handler failed; the body is its reason in UTF-8.
        case failed = 3
        /// Refused unanswered: the session already has its limit of requests in flight. No body.
        case busy = 4
    }

    public static let headerBytes = 8 + 8 + 1 + 4

    /// The largest body a sealed frame of at most `frameBytes` carries.
    public static func maxBodyBytes(inFrameOf frameBytes: Int) -> Int {
        frameBytes - Envelope.overhead - headerBytes
    }

    public var token: UInt64
    public var number: UInt64
    public var kind: Kind
    public var id: UInt32
    public var body: [UInt8]

    public init(token: UInt64, number: UInt64, kind: Kind, id: UInt32, body: [UInt8] = []) {
        self.token = token
        self.number = number
        self.kind = kind
        self.id = id
        self.body = body
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerBytes + body.count)
        withUnsafeBytes(of: token.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: number.bigEndian) { out.append(contentsOf: $0) }
        out.append(kind.rawValue)
        withUnsafeBytes(of: id.bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: body)
        return out
    }

    /// Nil for a frame shorter than its header, of an unknown kind, or `busy` with a body:
    /// what decodes encodes back to exactly the same bytes.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.headerBytes, let kind = Kind(rawValue: bytes[16]) else { return nil }
        guard kind != .busy || bytes.count == Self.headerBytes else { return nil }
        func integer<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
            bytes[offset..<offset + MemoryLayout<T>.size].reduce(T(0)) { $0 << 8 | T($1) }
        }
        self.init(token: integer(at: 0, as: UInt64.self), number: integer(at: 8, as: UInt64.self), kind: kind,
                  id: integer(at: 17, as: UInt32.self), body: Array(bytes[Self.headerBytes...]))
    }
}
