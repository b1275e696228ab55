import ManagerCore
import NIOCore
import NIOHTTP1

/// One request on its way through the gateway: the snapshot and route it started
/// with, its policy context, its body (kept while small enough to retry), and the
/// upstream connection serving it.
final class Exchange {
    let snapshot: CompiledConfig
    let route: CompiledRoute
    /// The head as the client sent it.
    let request: RequestHead
    /// What the route's policies see and edit; nil on a route without policies, whose
    /// requests go upstream straight from the client's bytes.
    var context: RequestContext?
    let requestID: String
    let framing: RequestFraming
    /// What the client's `Connection` fields said.
    let connectionOptions: ConnectionOptions
    let keepAlive: Bool
    let start: NIODeadline
    let isIdempotent: Bool
    /// The most body bytes this request may send: the global limit, or the route's
    /// `request_size_limit` when smaller (a chunked body is only counted as it streams).
    let bodyLimit: Int

    enum Phase { case policies, connecting, forwarding, finished }
    var phase = Phase.policies
    var policyIndex = 0

    /// The target of the request line sent upstream (after `strip_prefix`).
    var upstreamURI = ""
    var upstream: UpstreamRuntime?
    var target: TargetRuntime?
    var connection: UpstreamConnection?
    var tried = TriedTargets()
    var attempts = 0
    var upstreamSentAt = NIODeadline.uptimeNanoseconds(0)
    /// Bytes moving to or from the upstream; judged against its read timeout.
    var progress = UpstreamProgress()
    var upstreamKeepAlive = true

    /// Body parts not yet written upstream, or, while `retainsBody`, every part (for a retry).
    private(set) var buffered: [ByteBuffer] = []
    private(set) var bufferedBytes = 0
    var bodyBytes = 0
    var retainsBody = true
    var requestEnded: Bool

    var responseStarted = false
    var status = 0
    /// Body bytes of the response sent to the client (the access log's `$body_bytes_sent`).
    var bodyBytesSent = 0
    /// On a route with a `cache:` rule, what the cache did and does for this request.
    var cache: ExchangeCache?
    /// The head sent upstream when the gateway adds fields of its own (a validation's conditions).
    var upstreamHead: RequestHead?

    static let retryBufferLimit = 64 * 1024

    /// Whether body bytes follow the head (a `Content-Length: 0` request has none).
    var hasBody: Bool {
        switch framing {
        case .none, .contentLength(0): false
        case .contentLength, .chunked: true
        }
    }

    /// The body may be read and dropped after an early answer: announced, small, and not
    /// held back by the client until a `100 Continue` that will never come.
    var bodyCanBeDrained: Bool { Self.bodyCanBeDrained(framing, request) }

    static func bodyCanBeDrained(_ framing: RequestFraming, _ head: RequestHead) -> Bool {
        guard case .contentLength(let length) = framing else { return false }
        return length <= retryBufferLimit && !head.fields.contains(name: "expect")
    }

    /// The first value of the field `name` as the request goes on: edited by the policies,
    /// or the client's.
    func field(_ name: String) -> String? {
        if let context { return context.head.headers.first(name: name) }
        return request.fields.first(name: name)
    }

    /// The value a split or a balancer keys on, from the fields as the request goes on.
    func value(of key: HashKey, clientAddress: SocketAddress?) -> String? {
        if let context { return key.value(fields: context.head.headers, clientAddress: clientAddress, consumer: consumer) }
        return key.value(fields: request.fields, clientAddress: clientAddress, consumer: consumer)
    }

    var consumer: String? { context?.consumer }


    /// Keeps a body part in `buffered`. The list is moved out of the property while it grows,
    /// so no access to the property lasts across a call (the compiler then checks them all
    /// statically).
    func keep(_ body: ByteBuffer) {
        var parts = buffered
        buffered = []
        parts.append(body)
        buffered = parts
        bufferedBytes += body.readableBytes
    }

    func dropBuffered() {
        buffered = []
        bufferedBytes = 0
    }

    /// Body bytes on their way upstream, framed as the upstream head announced them.
    func writeBody(_ body: ByteBuffer, to connection: UpstreamConnection) {
        progress.moved()
        if framing == .chunked { connection.writeChunk(body) } else { connection.write(body) }
    }

    /// Whether bytes are to be written upstream right behind the head: body parts buffered
    /// while the connection was being found, or the last chunk of a body already ended.
    var upstreamBytesFollowHead: Bool { !buffered.isEmpty || (requestEnded && framing == .chunked) }

    func writeEnd(to connection: UpstreamConnection) {
        if framing == .chunked { connection.writeLastChunk() }
    }

    init(
        snapshot: CompiledConfig, route: CompiledRoute, request: RequestHead, context: RequestContext?, requestID: String,
        framing: RequestFraming, connectionOptions: ConnectionOptions, keepAlive: Bool, start: NIODeadline,
        globalBodyLimit: Int
    ) {
        self.snapshot = snapshot
        self.route = route
        self.request = request
        self.context = context
        self.requestID = requestID
        self.framing = framing
        self.connectionOptions = connectionOptions
        self.keepAlive = keepAlive
        self.start = start
        self.requestEnded = false
        self.bodyLimit = min(globalBodyLimit, route.maxBodyBytes ?? globalBodyLimit)
        switch request.method {
        case .GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE: isIdempotent = true
        default: isIdempotent = false
        }
    }
}
