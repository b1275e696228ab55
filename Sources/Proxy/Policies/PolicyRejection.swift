import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A ready-made refusal of one kind (a missing API key, an expired token...): the
/// answer is built once per policy, every use is counted, and the first use is logged
/// so an operator learns of it without a log line per request.
struct PolicyRejection: Sendable {
    let response: GatewayResponse
    private let counter: Counter
    private let logged: NIOLockedValueBox<Bool>
    private let logger: Logger
    private let logMessage: String

    init(
        policy: String,
        reason: String,
        status: HTTPResponseStatus,
        message: String,
        headers: [(String, String)] = [],
        logger: Logger
    ) {
        var httpHeaders = HTTPHeaders(headers)
        httpHeaders.add(name: "Content-Type", value: "application/json")
        let body = #"{"error":"\#(Self.jsonEscaped(reason))","message":"\#(Self.jsonEscaped(message))"}"#
        httpHeaders.add(name: "Content-Length", value: String(body.utf8.count))
        self.response = GatewayResponse(status: status, headers: httpHeaders, body: ByteBuffer(string: body))
        self.counter = Counter(
            label: "meshgate_policy_rejections_total",
            dimensions: [("policy", policy), ("reason", reason)]
        )
        self.logged = NIOLockedValueBox(false)
        self.logger = logger
        self.logMessage = "\(policy): \(message) (answered \(status.code); further cases are only counted)"
    }

    func decision(_ context: RequestContext) -> PolicyDecision {
        record(context)
        return .respond(response)
    }

    /// The same answer with headers that differ per request (`Retry-After`...).
    func decision(_ context: RequestContext, adding headers: [(String, String)]) -> PolicyDecision {
        record(context)
        var response = self.response
        response.headers.add(contentsOf: headers)
        return .respond(response)
    }

    private func record(_ context: RequestContext) {
        counter.increment()
        let first = logged.withLockedValue { seen in
            defer { seen = true }
            return !seen
        }
        if first {
            logger.warning(
                "\(logMessage)",
                metadata: ["route": "\(context.routeID)", "request_id": "\(context.requestID)"]
            )
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20: escaped += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
