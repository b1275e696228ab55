import Gossip
import NIOCore
import NIOPosix
import Synchronization

/// The cache's requests to other nodes, by member name, over the node's peer sessions
/// (`PeerLinks`): the names' gossip addresses follow the membership.
final class CachePeerLinks: CachePeers {
    private let links: PeerLinks
    private let group: any EventLoopGroup
    private let addresses = Mutex<[String: NodeAddress]>([:])

    init(links: PeerLinks, group: any EventLoopGroup) {
        self.links = links
        self.group = group
    }

    func request(_ body: [UInt8], to member: String, deadline: NIODeadline) -> EventLoopFuture<[UInt8]> {
        guard let address = addresses.withLock({ $0[member] }) else {
            return (MultiThreadedEventLoopGroup.currentEventLoop ?? group.next())
                .makeFailedFuture(PeerLinkError.sessionRefused)
        }
        return links.request(body, to: address, deadline: deadline)
    }

    func apply(_ event: MembershipEvent) {
        let member = event.member
        addresses.withLock { addresses in
            switch event {
            case .failed, .left: addresses[member.name] = nil
            case .joined, .updated, .suspected, .refuted: addresses[member.name] = member.address
            }
        }
    }

    /// Connects `cache` to the other nodes: its requests go out on `group`'s loops (the
    /// gateway's), and the node answers theirs there too. Returns the links, to close on exit.
    static func connect(_ cache: MeshCache, node: NodeShell, group: any EventLoopGroup) async throws -> PeerLinks {
        let local = try await node.loop.submit { node.gossip.localMember.address }.get()
        let links = PeerLinks(group: group, keys: node.liveKeyring, localAddress: local)
        let peers = CachePeerLinks(links: links, group: group)
        // The members known already, then every change after them (both run on the node's loop, in order).
        node.subscribeMembership { event in peers.apply(event) }
        try await node.loop.submit {
            for member in node.gossip.members where member.isLive { peers.apply(.joined(member)) }
        }.get()
        cache.connect(peers, loop: group.next())
        await node.servePeerRequests { body, _ in
            cache.serve(body, on: MultiThreadedEventLoopGroup.currentEventLoop ?? group.next())
        }
        return links
    }
}
