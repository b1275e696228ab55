import Gossip
import NIOCore

/// Requests to peers over pooled, multiplexed sessions on their gossip ports: the asking side
/// of peer sessions (the answering side is `NodeShell.servePeerRequests`).
///
/// Each loop of the group keeps at most one connection per peer, opened by the first request
/// made on that loop and shared by every request after it: many requests in flight at once,
/// answered in any order and matched by id. A request made on one of the group's loops (the
/// gateway's request handlers) runs there without a hop or a lock; one made elsewhere goes to
/// one of the loops. A connection idle for `idleTimeout` closes; one that fails ends every
/// request in flight on it, and the next request opens a new one. When a connection fails to
/// open, that loop waits before it tries the peer again (`ReconnectBackoff`), and requests to
/// the peer meanwhile fail at once with `reconnectBackoff`.
public final class PeerLinks: Sendable {
    public struct Settings: Sendable {
        /// Requests in flight on one connection; one more fails with `tooManyInFlight`.
        public var maxInFlight = 1024
        /// A connection with nothing in flight for this long closes.
        public var idleTimeout: TimeAmount = .seconds(30)
        public var connectTimeout: TimeAmount = .seconds(2)
        /// Time for the peer to accept the session once the connection is up.
        public var openTimeout: TimeAmount = .seconds(5)
        /// The largest session frame sent or read (`StreamLimits.maxSessionFrameBytes` on the peer).
        public var maxFrameBytes = StreamLimits().maxSessionFrameBytes
        /// The wait before trying a peer again after its connection failed to open, doubled
        /// with every failure in a row up to `maxReconnectBackoff`.
        public var reconnectBackoff: TimeAmount = .milliseconds(100)
        public var maxReconnectBackoff: TimeAmount = .seconds(5)
        /// The clock backoffs are measured on.
        public var now: @Sendable () -> NIODeadline = { .now() }

        public init() {}
    }

    private let group: any EventLoopGroup
    private let links: [ObjectIdentifier: LoopLinks]

    /// - Parameters:
    ///   - keys: the node's keyring (`NodeShell.liveKeyring`); frames are sealed with it.
    ///   - localAddress: the gossip address this node is known by, told to each peer it opens a session with.
    public init(group: any EventLoopGroup, keys: LiveKeyring, localAddress: NodeAddress, settings: Settings = Settings()) {
        self.group = group
        var links: [ObjectIdentifier: LoopLinks] = [:]
        for loop in group.makeIterator() {
            links[ObjectIdentifier(loop)] = LoopLinks(loop: loop, keys: keys, localAddress: localAddress, settings: settings)
        }
        self.links = links
    }

    /// Sends `body` to `peer` and returns its reply; fails with a `PeerLinkError` when there is
    /// none by `deadline`. Completes on one of the group's loops.
    public func request(_ body: [UInt8], to peer: NodeAddress, deadline: NIODeadline) -> EventLoopFuture<[UInt8]> {
        let loop = group.any()
        guard let here = links[ObjectIdentifier(loop)] else {
            return loop.makeFailedFuture(PeerLinkError.closed)
        }
        if loop.inEventLoop { return here.request(body, to: peer, deadline: deadline) }
        return loop.flatSubmit { here.request(body, to: peer, deadline: deadline) }
    }

    /// Open connections and connection attempts so far, over every loop.
    public func figures() async -> PeerLinkFigures {
        var total = PeerLinkFigures()
        for here in links.values {
            let figures = (try? await here.loop.submit { here.figures }.get()) ?? PeerLinkFigures()
            total.openConnections += figures.openConnections
            total.connectsStarted += figures.connectsStarted
        }
        return total
    }

    /// Closes every connection; requests in flight fail with `closed`, and so do later ones.
    public func close() async {
        for here in links.values {
            try? await here.loop.submit { here.close() }.get()
        }
    }
}

public struct PeerLinkFigures: Sendable, Equatable {
    /// Connections whose session is open.
    public var openConnections = 0
    /// Connections begun, the first to each peer and every reconnection.
    public var connectsStarted = 0

    public init() {}
}

/// One loop's connections, one per peer. Confined to its loop.
final class LoopLinks: @unchecked Sendable {
    private enum State {
        case serving
        case closed
    }

    let loop: any EventLoop
    let keys: LiveKeyring
    let localAddress: NodeAddress
    let settings: PeerLinks.Settings
    private var state = State.serving
    private var connections: [NodeAddress: PeerConnection] = [:]
    /// Peers whose last connections failed to open.
    private var backoffs: [NodeAddress: ReconnectBackoff] = [:]
    private var connectsStarted = 0

    init(loop: any EventLoop, keys: LiveKeyring, localAddress: NodeAddress, settings: PeerLinks.Settings) {
        self.loop = loop
        self.keys = keys
        self.localAddress = localAddress
        self.settings = settings
    }

    var figures: PeerLinkFigures {
        var figures = PeerLinkFigures()
        figures.openConnections = connections.values.filter(\.isOpen).count
        figures.connectsStarted = connectsStarted
        return figures
    }

    func request(_ body: [UInt8], to peer: NodeAddress, deadline: NIODeadline) -> EventLoopFuture<[UInt8]> {
        loop.preconditionInEventLoop()
        guard case .serving = state else { return loop.makeFailedFuture(PeerLinkError.closed) }
        let frameBytes = Envelope.overhead + SessionFrame.headerBytes + body.count
        guard frameBytes <= settings.maxFrameBytes else {
            return loop.makeFailedFuture(PeerLinkError.frameTooLarge(bytes: frameBytes, limit: settings.maxFrameBytes))
        }
        if let connection = connections[peer] {
            return connection.submit(body, deadline: deadline)
        }
        if let backoff = backoffs[peer], !backoff.allowsConnecting(at: settings.now()) {
            return loop.makeFailedFuture(PeerLinkError.reconnectBackoff)
        }
        guard let socket = try? SocketAddress(ipAddress: peer.host, port: Int(peer.port)) else {
            return loop.makeFailedFuture(PeerLinkError.notAnIPAddress(peer))
        }
        let connection = PeerConnection(peer: peer, links: self)
        connections[peer] = connection
        connectsStarted += 1
        let future = connection.submit(body, deadline: deadline)
        connection.connect(to: socket)
        return future
    }

    /// A connection that ended leaves the pool; the next request to its peer opens another,
    /// after a wait when this one never opened its session.
    func ended(_ connection: PeerConnection, opened: Bool) {
        guard connections[connection.peer] === connection else { return }
        connections[connection.peer] = nil
        if !opened {
            backoffs[connection.peer, default: ReconnectBackoff(initial: settings.reconnectBackoff,
                                                                maximum: settings.maxReconnectBackoff)]
                .failed(at: settings.now())
        }
    }

    /// A session to `peer` opened: its past failures are forgotten.
    func opened(_ peer: NodeAddress) {
        backoffs[peer] = nil
    }

    func close() {
        state = .closed
        for connection in connections.values { connection.end(.closed) }
        connections = [:]
    }
}
