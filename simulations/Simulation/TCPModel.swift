/// Streams cross the same lossy network as datagrams, modelled as TCP with the timers
/// Linux uses: a handshake whose SYN (or SYN-ACK) is lost is retried after 1 s, then 2 s,
/// 4 s (RFC 6298's initial RTO, doubling); a lost data segment is retransmitted after a
/// retransmission timeout of at least 200 ms (Linux's `TCP_RTO_MIN`) that doubles on each
/// loss of the same segment; the first flight is ten segments (RFC 6928) and slow start
/// doubles it every round trip. Every packet, SYN or segment, is lost with the datagram
/// loss probability. The deadlines are those `meshd` gives its gossip streams
/// (`StreamLimits`): a connect that has not finished in 2 s fails, and a request whose
/// reply is not complete 5 s after the connect is abandoned.
enum TCPModel {
    static let initialSynRetransmit: SimTime = .seconds(1)
    static let minimumRetransmitTimeout: SimTime = .milliseconds(200)
    static let segmentBytes = 1448
    static let initialWindowSegments = 10
    static let connectTimeout: SimTime = .seconds(2)
    static let readTimeout: SimTime = .seconds(5)
}

extension VirtualNetwork {
    /// How long the initiator's connect takes, SYN and SYN-ACK both crossing the network,
    /// or nil when the handshake does not finish within `TCPModel.connectTimeout`.
    mutating func connect() -> SimTime? {
        var elapsed: SimTime = 0
        var retransmit = TCPModel.initialSynRetransmit
        while elapsed < TCPModel.connectTimeout {
            if delivers(), delivers() {
                let done = elapsed + delay() + delay()
                return done <= TCPModel.connectTimeout ? done : nil
            }
            elapsed += retransmit
            retransmit *= 2
        }
        return nil
    }

    /// How long `bytes` take one way over an established connection: the latency, a round
    /// trip for every doubling of the window slow start needs, and the retransmission
    /// timeouts of the segment that waited longest (delivery is in order, so the last
    /// byte arrives after the slowest segment).
    mutating func transfer(bytes: Int) -> SimTime {
        let segments = max(1, (bytes + TCPModel.segmentBytes - 1) / TCPModel.segmentBytes)
        var rounds: SimTime = 0
        var window = TCPModel.initialWindowSegments
        var sent = window
        while sent < segments {
            window *= 2
            sent += window
            rounds += 1
        }
        let roundTrip = 2 * latency
        let firstTimeout = max(TCPModel.minimumRetransmitTimeout, 2 * roundTrip)
        var slowest: SimTime = 0
        if loss > 0 {
            for _ in 0..<segments {
                var waited: SimTime = 0
                var timeout = firstTimeout
                while !delivers() {
                    waited += timeout
                    timeout *= 2
                }
                slowest = max(slowest, waited)
            }
        }
        return delay() + rounds * roundTrip + slowest
    }
}
