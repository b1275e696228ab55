/// Counters of the node's gossip traffic, shown by /v1/status and mirrored in /metrics.
public struct GossipFigures: Sendable, Equatable {
    public var probes: Int64 = 0
    public var indirectProbes: Int64 = 0
    public var suspicionsRaised: Int64 = 0
    public var refutations: Int64 = 0
    public var messagesIn: Int64 = 0
    public var messagesOut: Int64 = 0
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0
    public var decodeErrors: Int64 = 0
    public var badKeyPackets: Int64 = 0
    public var replayedPackets: Int64 = 0
    public var pushPulls: Int64 = 0
    public var censusExchanges: Int64 = 0
    public var streamsRefused: Int64 = 0

    public var json: JSONValue {
        .object([
            ("probes", .int(probes)),
            ("indirect_probes", .int(indirectProbes)),
            ("suspicions_raised", .int(suspicionsRaised)),
            ("refutations", .int(refutations)),
            ("msgs_in", .int(messagesIn)),
            ("msgs_out", .int(messagesOut)),
            ("bytes_in", .int(bytesIn)),
            ("bytes_out", .int(bytesOut)),
            ("decode_errors", .int(decodeErrors)),
            ("bad_key_packets", .int(badKeyPackets)),
            ("replayed_packets", .int(replayedPackets)),
            ("push_pulls", .int(pushPulls)),
            ("census_exchanges", .int(censusExchanges)),
            ("streams_refused", .int(streamsRefused)),
        ])
    }
}
