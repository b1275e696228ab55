import Gossip
import NIOCore

/// The answering side of peer sessions (`PeerLinks` is the asking side): a stream that asks to
/// open one is accepted here, on the gossip loop, and then served on its own connection's loop.
extension NodeShell {
    /// Serves the requests of peer sessions with `handler`; until it is set, a node refuses
    /// sessions (the asker sees `PeerLinkError.sessionRefused`).
    public func servePeerRequests(_ handler: @escaping PeerRequestHandler) async {
        try? await loop.submit { self.peerRequestHandler = handler }.get()
    }

    func peerSessionServer(for opening: SessionOpening) -> PeerSessionServer? {
        guard let handler = peerRequestHandler else { return nil }
        let limits = settings.limits
        let metrics = self.metrics
        return PeerSessionServer(
            cipher: SessionCipher(keys: liveKeyring, ownToken: UInt64.random(in: .min ... .max), peerToken: opening.token),
            asker: opening.asker, handler: handler,
            maxInFlight: limits.maxSessionInFlight, maxFrameBytes: limits.maxSessionFrameBytes,
            idleTimeout: limits.sessionIdleTimeout,
            onAnswered: { answered in
                (answered ? metrics.peerRequestsServed : metrics.peerRequestsBusy).increment()
            },
            onRefused: { [self] refusal in
                loop.execute { self.countRefused(refusal, from: opening.asker) }
            })
    }

    private func countRefused(_ refusal: SessionCipher.Refusal, from asker: NodeAddress) {
        switch refusal {
        case .envelope(.badKey), .envelope(.unknownVersion):
            figures.badKeyPackets += 1
            metrics.badKeyPackets.increment()
        case .envelope, .malformed, .wrongToken, .outOfOrder:
            figures.decodeErrors += 1
            metrics.decodeErrors.increment()
        case .frameTooLarge:
            figures.streamsRefused += 1
            metrics.streamsRefused.increment()
        }
        badPackets.record(source: asker.host, reason: "\(refusal)", logger: logger)
    }
}
