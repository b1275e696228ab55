import Foundation

/// The `gossip` counters of a node's /v1/status.
struct GossipCounters {
    let values: [String: Double]

    init(_ node: MeshdNode) throws {
        let status = try node.admin.object("/v1/status")
        guard let gossip = status["gossip"] as? [String: Any] else {
            throw IntegrationError("no gossip counters in /v1/status of \(node.name)")
        }
        values = gossip.compactMapValues { ($0 as? NSNumberLike)?.doubleValue }
    }

    subscript(_ name: String) -> Double { values[name] ?? 0 }

    /// Datagrams the node refused: undecodable, not sealed with a key it holds, or replayed.
    var rejectedPackets: Double { self["decode_errors"] + self["bad_key_packets"] + self["replayed_packets"] }
}

protocol NSNumberLike {
    var doubleValue: Double { get }
}

extension NSNumber: NSNumberLike {}
