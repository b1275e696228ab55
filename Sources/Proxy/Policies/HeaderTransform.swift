import NIOCore
import NIOHTTP1
import ManagerCore

/// `type: headers`: edits the request on its way upstream and the response on its
/// way back. Within each direction edits apply as `remove`, `rename`, `set`, `add`,
/// each in the order written.
public struct HeaderTransform: RequestPolicy {
    public let requestEdits: [HeaderEdit]
    public let responseEdits: [HeaderEdit]

    public init(_ config: HeadersPolicyConfig) {
        requestEdits = config.request
        responseEdits = config.response
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        ForwardingHeaders.apply(requestEdits, to: &context.head.headers)
        if !responseEdits.isEmpty {
            context.responseHeaderEdits.append(contentsOf: responseEdits)
        }
        return .proceed
    }
}
