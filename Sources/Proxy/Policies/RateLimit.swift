import Logging
import ManagerCore
import NIOCore
import NIOHTTP1

/// `type: rate_limit`: a token bucket per route and subject, local to this node.
/// `requests` per `per` is the refill rate and `burst` (default `requests`) the
/// bucket's size. The subject is the consumer an authentication policy named, or
/// the client address when there is none (`key: consumer`, the default), always the
/// client address (`key: client_address`), or one bucket for the whole route
/// (`key: route`). Responses carry `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset` (seconds until the bucket is full); a refusal is 429 with
/// `Retry-After` (seconds until the next token).
public struct RateLimit: RequestPolicy {
    public typealias Subject = RateLimitPolicyConfig.Subject

    public typealias Clock = @Sendable () -> UInt64

    public let requests: Int
    public let period: Duration
    public let burst: Int
    public let subject: Subject
    private let nanosecondsPerToken: Double
    private let limitKey: String
    private let limitValue: String
    private let clock: Clock
    private let store: TokenBucketStore
    private let refused: PolicyRejection

    /// `clock` gives monotonic nanoseconds; `store` holds the buckets.
    public init(
        _ config: RateLimitPolicyConfig,
        logger: Logger,
        clock: @escaping Clock = { NIODeadline.now().uptimeNanoseconds },
        store: TokenBucketStore = .shared
    ) {
        requests = config.requests
        period = config.per
        burst = config.burst
        subject = config.key
        let periodNanoseconds = Double(period.components.seconds) * 1e9 + Double(period.components.attoseconds) / 1e9
        nanosecondsPerToken = periodNanoseconds / Double(requests)
        limitKey = "\(requests)/\(period)/\(burst)/\(subject.rawValue)"
        limitValue = String(burst)
        self.clock = clock
        self.store = store
        refused = PolicyRejection(
            policy: "rate_limit", reason: "rate_limited", status: .tooManyRequests,
            message: "rate limit of \(requests) per \(period) exceeded", logger: logger
        )
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let key = TokenBucketStore.Key(route: context.routeID, limit: limitKey, subject: subjectName(context))
        let outcome = store.take(key, capacity: Double(burst), nanosecondsPerToken: nanosecondsPerToken, now: clock())
        let remaining = String(outcome.remaining)
        let reset = String(Self.wholeSeconds(outcome.resetAfterNanoseconds))
        guard outcome.allowed else {
            return refused.decision(
                context,
                adding: [
                    ("Retry-After", String(max(1, Self.wholeSeconds(outcome.retryAfterNanoseconds)))),
                    ("RateLimit-Limit", limitValue),
                    ("RateLimit-Remaining", remaining),
                    ("RateLimit-Reset", reset),
                ]
            )
        }
        context.responseHeaderEdits.append(.set(name: "RateLimit-Limit", value: limitValue))
        context.responseHeaderEdits.append(.set(name: "RateLimit-Remaining", value: remaining))
        context.responseHeaderEdits.append(.set(name: "RateLimit-Reset", value: reset))
        return .proceed
    }

    private func subjectName(_ context: RequestContext) -> String {
        switch subject {
        case .consumer:
            if let consumer = context.consumer { return "c:" + consumer }
            return "a:" + (context.clientAddress?.ipAddress ?? "")
        case .clientAddress:
            return "a:" + (context.clientAddress?.ipAddress ?? "")
        case .route:
            return ""
        }
    }

    private static func wholeSeconds(_ nanoseconds: UInt64) -> UInt64 {
        (nanoseconds + 999_999_999) / 1_000_000_000
    }
}
