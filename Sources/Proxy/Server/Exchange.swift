import NIOCore
import NIOHTTP1

/// One request on its way through the gateway: the snapshot and route it started
/// with, its policy context, its body (kept while small enough to retry), and the
/// upstream connection serving it.
final class Exchange {
    let snapshot: CompiledConfig
    let route: CompiledRoute
    var context: RequestContext
    let clientHead: HTTPRequestHead
    let framing: RequestFraming
    let keepAlive: Bool
    let start: NIODeadline
    let isIdempotent: Bool

    enum Phase { case policies, connecting, forwarding, finished }
    var phase = Phase.policies
    var policyIndex = 0

    var upstreamHead: HTTPRequestHead?
    var upstream: UpstreamRuntime?
    var target: TargetRuntime?
    var connection: UpstreamConnection?
    var tried: [ObjectIdentifier] = []
    var attempts = 0
    var upstreamSentAt = NIODeadline.uptimeNanoseconds(0)
    var upstreamKeepAlive = true

    /// Body parts not yet written upstream, or, while `retainsBody`, every part (for a retry).
    var buffered: [ByteBuffer] = []
    var bufferedBytes = 0
    var bodyBytes = 0
    var retainsBody = true
    var requestEnded: Bool

    var responseStarted = false
    var status = 0

    static let retryBufferLimit = 64 * 1024

    init(
        snapshot: CompiledConfig, route: CompiledRoute, context: RequestContext, head: HTTPRequestHead,
        framing: RequestFraming, keepAlive: Bool, start: NIODeadline
    ) {
        self.snapshot = snapshot
        self.route = route
        self.context = context
        self.clientHead = head
        self.framing = framing
        self.keepAlive = keepAlive
        self.start = start
        self.requestEnded = false
        switch head.method {
        case .GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE: isIdempotent = true
        default: isIdempotent = false
        }
    }
}
