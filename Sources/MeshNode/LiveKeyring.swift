import Synchronization

/// The node's keyring, readable from every thread: the gossip loop seals and opens with it,
/// and so do peer sessions on the gateway's loops. Nil when encryption is off (`--insecure`),
/// in which case bytes travel bare.
public final class LiveKeyring: Sendable {
    private let current: Mutex<Keyring?>

    public init(_ keyring: Keyring?) { current = Mutex(keyring) }

    public var keyring: Keyring? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    /// Seals with the primary key, stamped with the wall clock now.
    public func seal(_ bytes: [UInt8], channel: Envelope.Channel) -> [UInt8] {
        guard let keyring else { return bytes }
        return Envelope.seal(bytes, channel: channel, key: keyring.primary, nowMillis: WallClock.millis())
    }

    /// Opens with any installed key, checking no time or nonce (the caller proves freshness).
    public func open(_ bytes: [UInt8], channel: Envelope.Channel) throws(Envelope.OpenError) -> [UInt8] {
        guard let keyring else { return bytes }
        return try Envelope.open(bytes, channel: channel, keys: keyring.keys)
    }
}
