import Logging
import Synchronization

/// One line per request (or per `sampleEvery` requests), in the configured format, to its
/// own destination apart from the node's logs; written by an ``AccessLogWriter``.
final class AccessLog: Sendable {
    private let writer: AccessLogWriter?
    private let sampleEvery: Int
    private let counter = Atomic<Int>(0)

    init(settings: GatewayOptions.AccessLogSettings, metrics: ListenerMetrics, logger: Logger) throws {
        sampleEvery = settings.sampleEvery
        if case .off = settings.destination {
            writer = nil
        } else {
            writer = try AccessLogWriter(
                destination: settings.destination, format: settings.format, bufferBytes: settings.bufferBytes,
                dropped: metrics.accessLogDropped, logger: logger)
        }
    }

    @inline(__always)
    var shouldLog: Bool {
        guard writer != nil else { return false }
        return sampleEvery == 1 || counter.wrappingAdd(1, ordering: .relaxed).oldValue % sampleEvery == 0
    }

    func write(_ entry: AccessLogEntry) {
        writer?.append(entry)
    }

    /// Opens the log file again by its path (after a rotation moved it).
    func reopen() {
        writer?.reopen()
    }

    /// Writes the lines still waiting, for up to `timeout`, and closes the file.
    func finish(timeout: Duration) async {
        await writer?.finish(timeout: timeout)
    }
}
