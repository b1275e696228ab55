import Logging
import ManagerCore
import NIOCore
import NIOHTTP1

/// `type: request_size_limit`: refuses, with 413 before any byte is forwarded, a
/// request whose `Content-Length` exceeds `max_bytes`. A chunked body has no length
/// up front: the data plane counts its bytes against ``maxBytes`` as they stream and
/// answers 413 once the count passes it.
public struct RequestSizeLimit: RequestPolicy {
    public let maxBytes: Int
    private let tooLarge: PolicyRejection
    private let badLength: PolicyRejection

    public init(_ config: RequestSizeLimitPolicyConfig, logger: Logger) {
        maxBytes = config.maxBytes
        tooLarge = PolicyRejection(
            policy: "request_size_limit", reason: "payload_too_large", status: .payloadTooLarge,
            message: "request body larger than \(maxBytes) bytes", headers: [("Connection", "close")], logger: logger
        )
        badLength = PolicyRejection(
            policy: "request_size_limit", reason: "bad_content_length", status: .badRequest,
            message: "invalid Content-Length", headers: [("Connection", "close")], logger: logger
        )
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let lengths = context.head.headers[canonicalForm: "Content-Length"]
        guard let first = lengths.first else { return .proceed }
        guard let length = Int(first), length >= 0, lengths.allSatisfy({ $0 == first }) else {
            return badLength.decision(context)
        }
        return length > maxBytes ? tooLarge.decision(context) : .proceed
    }
}
