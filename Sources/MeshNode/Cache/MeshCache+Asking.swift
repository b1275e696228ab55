import CacheRing
import NIOCore
import Proxy

/// A node asking the owners of a key it does not own.
extension MeshCache {
    /// Asks the key's owners in their read order: the first, and when it cannot be asked in
    /// time (down, unreachable, refusing), the next, which may be this node. The whole ask is
    /// bound by `askTimeout`, the first owner getting two thirds of it.
    func ask(_ owners: ArraySlice<String>, _ peers: any CachePeers, key: CacheKey, request: FieldList,
                     until deadline: NIODeadline, on loop: any EventLoop) -> EventLoopFuture<CacheLookup> {
        guard let owner = owners.first else { return loop.makeFailedFuture(PeerLinkError.deadlineExceeded) }
        if owner == localName {
            return loop.makeSucceededFuture(ownedLookup(key, request: request, now: .current, on: loop))
        }
        let now = NIODeadline.now()
        let mine = owners.count > 1 ? now + .nanoseconds((deadline - now).nanoseconds * 2 / 3) : deadline
        return peers.request(CachePeerRequest.lookup(key: key, request: request).bytes, to: owner, deadline: mine)
            .hop(to: loop)
            .flatMapThrowing { [self] bytes in try answer(CachePeerReply(bytes), from: owner, peers, key: key) }
            .flatMapError { [self] error in
                guard error is PeerLinkError, owners.count > 1 else { return loop.makeFailedFuture(error) }
                return ask(owners.dropFirst(), peers, key: key, request: request, until: deadline, on: loop)
            }
    }

    /// What an owner's reply means for the request that asked.
    private func answer(_ reply: CachePeerReply, from owner: String, _ peers: any CachePeers, key: CacheKey) -> CacheLookup {
        switch reply {
        case .hit(let entry):
            near.keep(entry, now: .current)
            return .hit(entry)
        case .lead(let epoch):
            let ticket = CacheStore.FillTicket(epoch: epoch, started: .current)
            return .lead(CacheFill(key: key, ticket: ticket) { [self] entry, now in
                if let entry { near.keep(entry, now: now) }
                // An entry too large to send ends the owner's fill with nothing stored, so its waiters go on.
                let report = peerBodyCap.fitting(CachePeerRequest.fill(key: key, epoch: epoch, entry: entry).bytes)
                    ?? CachePeerRequest.fill(key: key, epoch: epoch, entry: nil).bytes
                _ = peers.request(report, to: owner, deadline: NIODeadline.now() + settings.askTimeout)
            })
        case .miss, .done:
            return .bypass
        }
    }
}
