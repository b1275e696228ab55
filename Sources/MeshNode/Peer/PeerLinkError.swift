import Gossip

/// Why a request over `PeerLinks` got no answer. Each one ends that request only; the caller
/// goes on to the next holder (the key's backup owner, then the upstream).
public enum PeerLinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The caller's deadline passed first.
    case deadlineExceeded
    /// The connection to that peer already has its limit of requests in flight.
    case tooManyInFlight(limit: Int)
    /// The request would make a frame over the session's limit.
    case frameTooLarge(bytes: Int, limit: Int)
    /// The connection failed or closed; every request in flight on it ends with this.
    case connectionLost(String)
    /// The peer closed the stream before the session opened: an older node, a node that
    /// serves no peer requests, or one that holds no key of ours.
    case sessionRefused
    /// The peer answered `busy`: its own in-flight bound refused the request.
    case peerBusy
    /// The peer's handler failed, for this reason.
    case peerFailed(String)
    case notAnIPAddress(NodeAddress)
    /// The last connection to the peer failed to open, and the wait before the next is not over.
    case reconnectBackoff
    /// `PeerLinks.close()` was called.
    case closed

    public var description: String {
        switch self {
        case .deadlineExceeded: return "no reply from the peer before the deadline"
        case .tooManyInFlight(let limit): return "\(limit) requests already in flight to this peer"
        case .frameTooLarge(let bytes, let limit): return "a \(bytes)-byte frame exceeds the \(limit)-byte session limit"
        case .connectionLost(let reason): return "peer connection lost: \(reason)"
        case .sessionRefused: return "the peer closed the connection before the session opened"
        case .peerBusy: return "the peer refused the request: too many in flight"
        case .peerFailed(let reason): return "the peer failed to answer: \(reason)"
        case .notAnIPAddress(let address): return "\(address) is not an IP address"
        case .reconnectBackoff: return "the last connection to the peer failed; waiting before the next"
        case .closed: return "peer links closed"
        }
    }
}
