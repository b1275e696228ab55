@testable import Gossip

let peerAddress = NodeAddress(host: "10.0.0.2", port: 7946)

extension GossipConfig {
    /// The local profile for a node whose health is already known to be good (as after its
    /// first timely acks): the tests time its probes and timers from the start.
    static let settled: GossipConfig = {
        var config = GossipConfig.local
        config.awarenessAtStart = 0
        return config
    }()
}

func makeNode(_ name: String = "self", config: GossipConfig = .settled, seed: UInt64 = 1) throws -> GossipNode {
    try GossipNode(name: name, uid: 1000, address: NodeAddress(host: "10.0.0.1", port: 7946),
                   config: config, now: .zero, random: SplitMix64(seed: seed))
}

func member(_ name: String, uid: UInt64 = 1, incarnation: Incarnation = 0, host: String? = nil,
            tags: [String: String] = [:]) -> Member {
    Member(id: NodeID(name: name, uid: uid), address: NodeAddress(host: host ?? "10.1.0.\(abs(name.hashValue % 200) + 1)", port: 7946),
           incarnation: incarnation, state: .alive, tags: tags)
}

@discardableResult
func feed(_ node: GossipNode, _ messages: [Message], from: NodeAddress = peerAddress, at now: Instant = .zero) -> [GossipOutput] {
    var encoder = MessageEncoder()
    return node.receive(datagram: encoder.packet(messages), from: from, now: now)
}

func decodedDatagrams(_ outputs: [GossipOutput]) -> [(to: NodeAddress, messages: [Message])] {
    outputs.compactMap { output in
        guard case let .datagram(bytes, to) = output else { return nil }
        return (to, MessageDecoder.decode(bytes).messages)
    }
}

func events(_ outputs: [GossipOutput]) -> [MembershipEvent] {
    outputs.compactMap { output in
        guard case let .membership(event) = output else { return nil }
        return event
    }
}

extension Instant {
    static func seconds(_ value: Double) -> Instant { Instant(nanoseconds: Int64(value * 1e9)) }
}
