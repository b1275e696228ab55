import Sodium

/// The encrypted envelope around every gossip datagram and stream frame.
///
///     version (1) | nonce (24) | XChaCha20-Poly1305( sent_at_ms (8, big endian) | payload ) | tag (16)
///
/// The additional data is the version byte and the channel byte, so a datagram cannot be
/// replayed as a stream frame or the reverse. See docs/wire.md, "Envelope".
public enum Envelope {
    public static let version: UInt8 = 1
    public static let overhead = 1 + Sodium.nonceBytes + 8 + Sodium.tagBytes

    public enum Channel: UInt8, Sendable {
        case datagram = 1
        case stream = 2
        /// A frame inside a peer session, after its opening (docs/wire.md, "Peer sessions").
        case session = 3
    }

    public enum OpenError: Error, Equatable, Sendable {
        case malformed
        case unknownVersion(UInt8)
        /// No installed key opens it: another mesh's key, no key at all, or altered bytes.
        case badKey
        case replayed
        case outsideWindow
    }

    public static func seal(_ payload: [UInt8], channel: Channel, key: ClusterKey, nowMillis: Int64) -> [UInt8] {
        let nonce = Sodium.randomBytes(Sodium.nonceBytes)
        var plain = [UInt8]()
        plain.reserveCapacity(8 + payload.count)
        withUnsafeBytes(of: UInt64(bitPattern: nowMillis).bigEndian) { plain.append(contentsOf: $0) }
        plain.append(contentsOf: payload)
        var out = [UInt8]()
        out.reserveCapacity(overhead + payload.count)
        out.append(version)
        out.append(contentsOf: nonce)
        out.append(contentsOf: Sodium.seal(
            plaintext: plain, additionalData: [version, channel.rawValue], nonce: nonce, key: key.bytes))
        return out
    }

    /// Tries every key (primary first), then checks the replay guard.
    public static func open(
        _ sealed: [UInt8], channel: Channel, keys: [ClusterKey], replayGuard: inout ReplayGuard, nowMillis: Int64
    ) throws(OpenError) -> [UInt8] {
        let (nonce, sentAt, payload) = try authenticate(sealed, channel: channel, keys: keys)
        switch replayGuard.check(nonce: nonce, sentAtMillis: sentAt, nowMillis: nowMillis) {
        case .fresh: return payload
        case .replayed: throw .replayed
        case .outsideWindow: throw .outsideWindow
        }
    }

    /// Tries every key (primary first) and checks no time or nonce: for frames whose freshness
    /// the caller proves otherwise (a peer session's token and frame numbers).
    public static func open(_ sealed: [UInt8], channel: Channel, keys: [ClusterKey]) throws(OpenError) -> [UInt8] {
        try authenticate(sealed, channel: channel, keys: keys).payload
    }

    private static func authenticate(
        _ sealed: [UInt8], channel: Channel, keys: [ClusterKey]
    ) throws(OpenError) -> (nonce: [UInt8], sentAt: Int64, payload: [UInt8]) {
        guard sealed.count >= overhead else { throw .malformed }
        guard sealed[0] == version else { throw .unknownVersion(sealed[0]) }
        let nonce = Array(sealed[1..<(1 + Sodium.nonceBytes)])
        let body = sealed[(1 + Sodium.nonceBytes)...]
        let ad = [version, channel.rawValue]
        for key in keys {
            guard let plain = Sodium.open(ciphertext: body, additionalData: ad, nonce: nonce, key: key.bytes) else {
                continue
            }
            let sentAt = plain.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return (nonce, Int64(bitPattern: sentAt), Array(plain.dropFirst(8)))
        }
        throw .badKey
    }
}
