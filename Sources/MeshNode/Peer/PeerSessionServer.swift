import Gossip
import NIOCore

/// Answers one peer request: the body as the asker sent it and the gossip address the asker
/// opened its session with. The future may complete on any loop; its bytes are the reply, its
/// failure is sent back as `failed` with the error's description.
public typealias PeerRequestHandler = @Sendable (_ body: [UInt8], _ from: NodeAddress) -> EventLoopFuture<[UInt8]>

/// What the answering side of one accepted session needs: made by the node when a stream asks
/// to open a session, carried out by `SessionServerHandler` on the connection's loop.
public struct PeerSessionServer: Sendable {
    public var cipher: SessionCipher
    public var asker: NodeAddress
    public var handler: PeerRequestHandler
    public var maxInFlight: Int
    public var maxFrameBytes: Int
    public var idleTimeout: TimeAmount
    /// Told of each request answered (`true`) or refused `busy` (`false`).
    public var onAnswered: @Sendable (_ answered: Bool) -> Void
    /// Told why the session was closed on a frame it refused.
    public var onRefused: @Sendable (_ refusal: SessionCipher.Refusal) -> Void
}
