import CacheRing
import NIOCore
import Proxy

/// A node answering the nodes that ask about keys it owns.
extension MeshCache {
    /// Answers another node's request about a key this node owns (or holds as the backup).
    public func serve(_ bytes: [UInt8], on loop: any EventLoop) -> EventLoopFuture<[UInt8]> {
        let request: CachePeerRequest
        do {
            request = try CachePeerRequest(bytes)
        } catch {
            return loop.makeFailedFuture(error)
        }
        let now = WallTime.current
        switch request {
        case .lookup(let key, let fields):
            switch ownedLookup(key, request: fields, now: now, on: loop) {
            case .hit(let entry):
                return loop.makeSucceededFuture(hitReply(entry))
            case .lead(let fill):
                remoteFills.withLock { $0[key.text] = fill }
                return loop.makeSucceededFuture(CachePeerReply.lead(epoch: fill.ticket.epoch).bytes)
            case .wait(let outcome):
                return outcome.map { [self] entry in
                    guard let entry,
                          VaryKey.variant(of: entry.key.text, names: entry.varyNames, request: fields) == entry.variant
                    else { return CachePeerReply.miss.bytes }
                    return hitReply(entry)
                }
            case .ask, .near, .bypass:
                return loop.makeSucceededFuture(CachePeerReply.miss.bytes)
            }
        case .fill(let key, let epoch, let entry):
            if let fill = remoteFills.withLock({ $0.removeValue(forKey: key.text) }) {
                fill.end(entry, now: now)
            } else if let entry {
                // The lease ran out first: stored still, unless a bust since the fill began selected it.
                store.store(entry, ticket: CacheStore.FillTicket(epoch: epoch, started: now), now: now)
            }
            return loop.makeSucceededFuture(CachePeerReply.done.bytes)
        case .replicate(let entry):
            store.storeCopy(entry, now: now)
            return loop.makeSucceededFuture(CachePeerReply.done.bytes)
        }
    }

    /// A hit, or a miss when the entry is too large to send: the asker goes to the origin.
    private func hitReply(_ entry: StoredEntry) -> [UInt8] {
        peerBodyCap.fitting(CachePeerReply.hit(entry).bytes) ?? CachePeerReply.miss.bytes
    }
}
