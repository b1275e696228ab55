import Logging
import NIOCore
import Synchronization

/// One structured line per request (or per `sampleEvery` requests under high rates).
final class AccessLog: Sendable {
    private let logger: Logger
    private let settings: GatewayOptions.AccessLogSettings
    private let counter = Atomic<Int>(0)

    init(logger: Logger, settings: GatewayOptions.AccessLogSettings) {
        var logger = logger
        logger[metadataKey: "log"] = "access"
        self.logger = logger
        self.settings = settings
    }

    struct Entry {
        var method: String
        var uri: String
        var status: Int
        var route: String
        var upstream: String?
        var target: String?
        var requestID: String
        var client: SocketAddress?
        var durationNanos: Int64
        var attempts: Int
    }

    @inline(__always)
    var shouldLog: Bool {
        guard settings.enabled, logger.logLevel <= .info else { return false }
        return settings.sampleEvery == 1 || counter.wrappingAdd(1, ordering: .relaxed).oldValue % settings.sampleEvery == 0
    }

    func write(_ entry: Entry) {
        logger.info("request", metadata: [
            "method": "\(entry.method)", "uri": "\(entry.uri)", "status": "\(entry.status)",
            "route": "\(entry.route)", "upstream": "\(entry.upstream ?? "-")", "target": "\(entry.target ?? "-")",
            "request_id": "\(entry.requestID)", "client": "\(entry.client?.ipAddress ?? "-")",
            "duration_ms": "\(Double(entry.durationNanos) / 1e6)", "attempts": "\(entry.attempts)",
        ])
    }
}
