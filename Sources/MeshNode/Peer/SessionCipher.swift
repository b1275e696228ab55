/// Seals and opens the frames of one peer session, confined to its connection's loop.
///
/// Each side draws a random token when the session opens; frames out carry the peer's token
/// and this side's next frame number, frames in must carry this side's token and the number
/// expected next. Both sides' tokens are fresh for every session, so a frame recorded on one
/// session is refused on any other, and on its own it is accepted once, in order. That stands
/// in for the replay guard, which sessions do not use: at request rate they would crowd out
/// the gossip's nonces.
public struct SessionCipher: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case envelope(Envelope.OpenError)
        case malformed
        case wrongToken
        case outOfOrder(expected: UInt64, got: UInt64)
        case frameTooLarge(bytes: Int, limit: Int)

        public var description: String {
            switch self {
            case .envelope(let error): return "session frame did not open: \(error)"
            case .malformed: return "malformed session frame"
            case .wrongToken: return "session frame of another session"
            case .outOfOrder(let expected, let got): return "session frame \(got) where \(expected) was due"
            case .frameTooLarge(let bytes, let limit): return "session frame of \(bytes) bytes exceeds the \(limit)-byte limit"
            }
        }
    }

    public let keys: LiveKeyring
    /// Frames in carry this token.
    public let ownToken: UInt64
    /// Frames out carry this token.
    public let peerToken: UInt64
    private var sent: UInt64 = 0
    private var received: UInt64 = 0

    public init(keys: LiveKeyring, ownToken: UInt64, peerToken: UInt64) {
        self.keys = keys
        self.ownToken = ownToken
        self.peerToken = peerToken
    }

    public mutating func seal(_ kind: SessionFrame.Kind, id: UInt32, body: [UInt8] = []) -> [UInt8] {
        let frame = SessionFrame(token: peerToken, number: sent, kind: kind, id: id, body: body)
        sent += 1
        return keys.seal(frame.bytes, channel: .session)
    }

    public mutating func open(_ sealed: [UInt8]) throws(Refusal) -> SessionFrame {
        let plain: [UInt8]
        do { plain = try keys.open(sealed, channel: .session) } catch { throw .envelope(error) }
        guard let frame = SessionFrame(plain) else { throw .malformed }
        guard frame.token == ownToken else { throw .wrongToken }
        guard frame.number == received else { throw .outOfOrder(expected: received, got: frame.number) }
        received += 1
        return frame
    }
}
