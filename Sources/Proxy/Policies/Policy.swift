import NIOCore
import NIOHTTP1
import ManagerCore

/// What a route's policy chain sees of one request. Policies run in the order the
/// route declares them; each may edit the request, name the consumer, or answer it.
public struct RequestContext: Sendable {
    public var head: HTTPRequestHead
    public let routeID: String
    public let clientAddress: SocketAddress?
    /// Set by an authentication policy; rate limiting and sticky splits key on it.
    public var consumer: String?
    public var requestID: String
    /// Header edits to apply to the response on its way back to the client.
    public var responseHeaderEdits: [HeaderEdit]

    public init(head: HTTPRequestHead, routeID: String, clientAddress: SocketAddress?, requestID: String) {
        self.head = head
        self.routeID = routeID
        self.clientAddress = clientAddress
        self.consumer = nil
        self.requestID = requestID
        self.responseHeaderEdits = []
    }
}

/// An answer produced at the gateway instead of forwarding (401, 403, 429, a CORS preflight...).
public struct GatewayResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum PolicyDecision: Sendable {
    case proceed
    case respond(GatewayResponse)
    /// The decision needs I/O first (a JWKS fetch on an unknown `kid`); the request waits for it.
    /// A future cannot edit the request, so when it succeeds with `.proceed` the data plane
    /// evaluates the same policy again with the same context: the I/O is done by then and
    /// the second evaluation decides at once and makes its edits (names the consumer).
    /// `.respond` is answered; a failed future is answered 500.
    case deferred(EventLoopFuture<PolicyDecision>)
}

/// One step of a route's policy chain. Implementations are immutable and shared by
/// every request on every event loop of one config snapshot.
/// A policy changes the response through `RequestContext.responseHeaderEdits`.
public protocol RequestPolicy: Sendable {
    func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision
}
