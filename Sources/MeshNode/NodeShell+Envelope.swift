import Gossip
import NIOCore

extension NodeShell {
    func seal(_ bytes: [UInt8], channel: Envelope.Channel) -> [UInt8] {
        liveKeyring.seal(bytes, channel: channel)
    }

    /// Opens what arrived; nil (counted and logged) when no installed key opens it, or it is replayed or malformed.
    func open(_ bytes: [UInt8], channel: Envelope.Channel, from host: String) -> [UInt8]? {
        figures.messagesIn += 1
        figures.bytesIn += Int64(bytes.count)
        metrics.messagesIn.increment()
        metrics.bytesIn.increment(by: Int64(bytes.count))
        guard let keyring else { return bytes }
        do {
            return try Envelope.open(
                bytes, channel: channel, keys: keyring.keys, replayGuard: &replayGuard, nowMillis: Self.wallClockMillis())
        } catch {
            switch error {
            case .badKey, .unknownVersion:
                figures.badKeyPackets += 1
                metrics.badKeyPackets.increment()
            case .replayed, .outsideWindow:
                figures.replayedPackets += 1
                metrics.replayedPackets.increment()
            case .malformed:
                figures.decodeErrors += 1
                metrics.decodeErrors.increment()
            }
            badPackets.record(source: host, reason: "\(error)", logger: logger)
            return nil
        }
    }
}
