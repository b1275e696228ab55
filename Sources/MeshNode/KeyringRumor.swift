import Foundation
import Gossip
import NIOCore

/// A keyring change spreads as a rumor carrying the whole new keyring (sealed, like all
/// gossip, with the current primary key). Every node adopts the newest version it hears,
/// stores it, and publishes the keyring's digest in its member meta: the node that made the
/// change counts a member as acknowledged once that member's digest equals its own.
enum KeyringRumor {
    static let subject = "meshgate.keyring"

    static func encode(_ keyring: Keyring) -> [UInt8] {
        (try? JSONEncoder().encode(keyring)).map(Array.init) ?? []
    }

    static func decode(_ payload: [UInt8]) -> Keyring? {
        try? JSONDecoder().decode(Keyring.self, from: Data(payload))
    }
}

public enum KeyringChange: Sendable {
    case install(String)
    case use(String)
    case remove(String)
}

public struct KeyringChangeResult: Sendable {
    public var acked: Int
    public var total: Int
}

public enum KeyringChangeError: Error, CustomStringConvertible {
    case encryptionOff
    case invalid(String)

    public var description: String {
        switch self {
        case .encryptionOff: return "gossip encryption is off (--insecure): there is no keyring"
        case .invalid(let message): return message
        }
    }
}

extension NodeShell {
    /// The current keyring, or nil when encryption is off.
    public func currentKeyring() async -> Keyring? {
        try? await loop.submit { self.keyring }.get()
    }

    /// Changes the keyring here and on every alive member, and waits (bounded) until they acknowledge.
    public func changeKeyring(_ change: KeyringChange) async throws -> KeyringChangeResult {
        let digest: String = try await loop.submit {
            guard var next = self.keyring else { throw KeyringChangeError.encryptionOff }
            do {
                switch change {
                case .install(let text):
                    let key: ClusterKey
                    do { key = try ClusterKey(base64: text) } catch { throw KeyringChangeError.invalid("\(error)") }
                    next.install(key)
                case .use(let reference): try next.use(reference)
                case .remove(let reference): try next.remove(reference)
                }
            } catch let error as Keyring.Error {
                throw KeyringChangeError.invalid(error.description)
            }
            self.keyringVersion = max(self.keyringVersion + 1, UInt64(Self.wallClockMillis()))
            let rumor = Rumor(subject: KeyringRumor.subject, version: self.keyringVersion,
                              payload: KeyringRumor.encode(next), urgent: true)
            self.adopt(next)
            self.run { node, now in (try? node.broadcast(rumor, now: now)) ?? [] }
            return next.digest
        }.get()

        let deadline = ContinuousClock.now + settings.keyringAckTimeout
        while true {
            let result = try await loop.submit { self.keyringAcks(digest: digest) }.get()
            if result.acked >= result.total || ContinuousClock.now >= deadline { return result }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func keyringAcks(digest: String) -> KeyringChangeResult {
        let live = gossip.members.filter { $0.state == .alive }
        return KeyringChangeResult(acked: live.filter { $0.meta[MetaKey.keyring] == digest }.count, total: live.count)
    }

    func applyKeyringRumor(_ rumor: Rumor) {
        guard keyring != nil, rumor.version > keyringVersion, let next = KeyringRumor.decode(rumor.payload) else { return }
        keyringVersion = rumor.version
        adopt(next)
    }

    /// Makes `next` the keyring: persists it and publishes its digest.
    func adopt(_ next: Keyring) {
        keyring = next
        logger.info("keyring changed", metadata: [
            "primary": "\(next.primary.fingerprint)", "keys": "\(next.keys.map(\.fingerprint))",
        ])
        if let file = settings.keyringFile {
            do { try file.save(next) } catch {
                logger.error("could not store the keyring", metadata: ["path": "\(file.path)", "error": "\(error)"])
            }
        }
        var meta = gossip.localMember.meta
        meta[MetaKey.keyring] = next.digest
        let tags = gossip.localMember.tags
        run { node, now in (try? node.update(tags: tags, meta: meta, now: now)) ?? [] }
    }
}
