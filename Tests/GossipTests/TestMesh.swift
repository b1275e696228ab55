@testable import Gossip

/// A few GossipNodes wired directly to each other in virtual time: datagrams arrive after a
/// fixed latency unless the receiver is down or a drop rule says so; push-pull streams are
/// answered at once.
final class TestMesh {
    private(set) var now = Instant(nanoseconds: 1_000_000_000)
    private(set) var nodes: [GossipNode] = []
    private var nodeByAddress: [NodeAddress: GossipNode] = [:]
    var down: Set<NodeAddress> = []
    var latency: Duration = .milliseconds(2)
    /// Return true to drop a datagram.
    var drop: (_ from: NodeAddress, _ to: NodeAddress, _ bytes: [UInt8]) -> Bool = { _, _, _ in false }
    private var inFlight: [(at: Instant, order: Int, from: NodeAddress, to: NodeAddress, bytes: [UInt8])] = []
    private var order = 0
    private(set) var events: [String: [MembershipEvent]] = [:]
    private(set) var rumors: [String: [(Rumor, Instant)]] = [:]
    private(set) var largestDatagram = 0
    private(set) var datagramsSent = 0
    private var random = SplitMix64(seed: 7)

    func addNode(_ name: String, config: GossipConfig = .settled, seed: UInt64? = nil,
                 tags: [String: String] = [:]) throws -> GossipNode {
        let address = NodeAddress(host: "127.0.0.\(nodes.count + 1)", port: 7946)
        let node = try GossipNode(name: name, uid: random.next() >> 1, address: address, tags: tags, config: config,
                                  now: now, random: SplitMix64(seed: seed ?? UInt64(nodes.count + 100)))
        nodes.append(node)
        nodeByAddress[address] = node
        events[name] = []
        rumors[name] = []
        return node
    }

    func node(_ name: String) -> GossipNode {
        nodes.first { $0.localMember.name == name }!
    }

    func isDown(_ node: GossipNode) -> Bool { down.contains(node.localMember.address) }

    func crash(_ node: GossipNode) { down.insert(node.localMember.address) }

    /// Feeds a call's outputs into the mesh.
    func deliver(_ outputs: [GossipOutput], from node: GossipNode) {
        let name = node.localMember.name
        for output in outputs {
            switch output {
            case let .datagram(bytes, to):
                datagramsSent += 1
                largestDatagram = max(largestDatagram, bytes.count)
                guard !drop(node.localMember.address, to, bytes) else { continue }
                order += 1
                inFlight.append((now + latency, order, node.localMember.address, to, bytes))
            case let .stream(bytes, to):
                guard let peer = nodeByAddress[to], !isDown(peer) else { continue }
                let (reply, peerOutputs) = peer.receive(stream: bytes, from: node.localMember.address, now: now)
                deliver(peerOutputs, from: peer)
                if !reply.isEmpty {
                    deliver(node.receive(streamReply: reply, from: to, now: now), from: node)
                }
            case let .membership(event):
                events[name, default: []].append(event)
            case let .rumor(rumor):
                rumors[name, default: []].append((rumor, now))
            }
        }
    }

    func joinAll(through seed: GossipNode) {
        for node in nodes where node !== seed {
            deliver(node.join(seeds: [seed.localMember.address], now: now), from: node)
        }
    }

    /// Advances virtual time by `duration`, running every timer and delivery in order.
    func run(for duration: Duration) {
        let end = now + duration
        while true {
            var next = end
            var nextNode: GossipNode?
            for node in nodes where !isDown(node) && node.nextDeadline < next {
                next = node.nextDeadline
                nextNode = node
            }
            var nextPacket: Int?
            for (index, packet) in inFlight.enumerated() where packet.at <= next {
                if let best = nextPacket {
                    let b = inFlight[best]
                    if packet.at < b.at || (packet.at == b.at && packet.order < b.order) { nextPacket = index }
                } else {
                    nextPacket = index
                }
            }
            if let index = nextPacket {
                let packet = inFlight.remove(at: index)
                now = max(now, packet.at)
                guard let target = nodeByAddress[packet.to], !isDown(target) else { continue }
                deliver(target.receive(datagram: packet.bytes, from: packet.from, now: now), from: target)
            } else if let node = nextNode {
                now = max(now, next)
                deliver(node.tick(now: now), from: node)
            } else {
                now = end
                return
            }
        }
    }

    /// Runs until `condition` holds (checked every 10 ms of virtual time) or `limit` passes.
    /// Returns the virtual time it took, or nil.
    @discardableResult
    func run(until limit: Duration, _ condition: () -> Bool) -> Duration? {
        let start = now
        while now - start < limit {
            if condition() { return now - start }
            run(for: .milliseconds(10))
        }
        return condition() ? now - start : nil
    }

    func state(of name: String, seenBy node: GossipNode) -> MemberState? {
        node.member(named: name)?.state
    }

    func allSeeAllAlive() -> Bool {
        let live = nodes.filter { !isDown($0) }
        return live.allSatisfy { node in
            live.allSatisfy { node.member(named: $0.localMember.name)?.state == .alive }
        }
    }
}
