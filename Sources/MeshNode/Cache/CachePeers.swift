import NIOCore

/// How the cache reaches the node that owns a key: one request, one reply, by member name.
/// The node's peer sessions on the gossip port carry it, sealed with the cluster key.
public protocol CachePeers: Sendable {
    func request(_ body: [UInt8], to member: String, deadline: NIODeadline) -> EventLoopFuture<[UInt8]>
}
