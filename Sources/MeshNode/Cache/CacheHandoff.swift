import CacheRing
import DequeModule
import NIOCore
import Proxy
import Synchronization

/// Moves stored entries to their new owners when the ring changes (`Handoff.plan`): on a join
/// the old primary sends the joining node what it now owns, after a crash the surviving owner
/// fills the new backup, and a node leaving gracefully sends its keys before it goes. Entries go
/// as `replicate` requests, at most `inFlight` at a time and `perSecond` a second, so a
/// membership change neither floods the peers nor sends a storm of misses to the origin.
final class CacheHandoff: Sendable {
    let store: ResponseStore
    let cap: PeerBodyCap
    let perSecond: Int
    let inFlight: Int
    private let state = Mutex(State())

    private struct State {
        /// Keys to send, and to whom.
        var queue = Deque<(to: String, key: String)>()
        var sending = 0
        var sentThisSecond = 0
        var second = NIODeadline.uptimeNanoseconds(0)
        var sent = 0
    }

    init(store: ResponseStore, cap: PeerBodyCap, perSecond: Int = 5_000, inFlight: Int = 64) {
        self.store = store
        self.cap = cap
        self.perSecond = perSecond
        self.inFlight = inFlight
    }

    /// Entries sent so far.
    var sent: Int { state.withLock { $0.sent } }
    /// Keys waiting to be sent.
    var pending: Int { state.withLock { $0.queue.count + $0.sending } }

    /// Queues what this node sends after the ring went from `before` to `after`.
    func ringChanged(local: String, before: KeyOwnership, after: KeyOwnership, leaving: Set<String> = [],
                     peers: any CachePeers, loop: any EventLoop) {
        let plan = Handoff.plan(held: store.heldKeys(), local: local, before: before, after: after, leaving: leaving)
        guard !plan.isEmpty else { return }
        state.withLock { state in
            for (member, keys) in plan {
                for key in keys { state.queue.append((member, key)) }
            }
        }
        pump(peers: peers, loop: loop)
    }

    /// Sends queued keys while the bounds allow, and comes back for the rest.
    private func pump(peers: any CachePeers, loop: any EventLoop) {
        let now = NIODeadline.now()
        let batch: [(to: String, key: String)] = state.withLock { state in
            if now - state.second >= .seconds(1) {
                state.second = now
                state.sentThisSecond = 0
            }
            var batch: [(to: String, key: String)] = []
            while state.sending < inFlight, state.sentThisSecond < perSecond, let next = state.queue.popFirst() {
                state.sending += 1
                state.sentThisSecond += 1
                batch.append(next)
            }
            return batch
        }
        for (member, key) in batch {
            let variants = store.variants(of: key)
            let sends = variants.compactMap { entry in
                cap.fitting(CachePeerRequest.replicate(entry).bytes).map { body in
                    peers.request(body, to: member, deadline: .now() + .seconds(5))
                }
            }
            EventLoopFuture.whenAllComplete(sends, on: loop).whenComplete { [self] _ in
                state.withLock { state in
                    state.sending -= 1
                    state.sent += variants.count
                }
                pump(peers: peers, loop: loop)
            }
        }
        let waiting = state.withLock { !$0.queue.isEmpty && $0.sending < inFlight }
        if waiting && batch.isEmpty {
            loop.scheduleTask(in: .milliseconds(50)) { [self] in pump(peers: peers, loop: loop) }
        }
    }
}
