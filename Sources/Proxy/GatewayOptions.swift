import Metrics
import NIOCore

/// How a node runs its gateway listener; the config (routes, upstreams) comes separately.
public struct GatewayOptions: Sendable {
    public var host: String
    /// 0 picks a free port; `Gateway.start()` returns the bound one.
    public var port: Int
    public var tls: TLSFiles?
    public var limits: Limits
    /// Node tags; `region` makes upstream targets with the same `region` tag preferred.
    public var tags: [String: String]
    public var accessLog: AccessLogSettings
    /// Name this gateway gives itself in `Via`.
    public var viaName: String
    /// Where metrics go; nil uses the process-wide `MetricsSystem` (what the node bootstraps).
    public var metricsFactory: (any MetricsFactory)?

    public struct TLSFiles: Sendable, Equatable {
        public var certificateChainPath: String
        public var privateKeyPath: String

        public init(certificateChainPath: String, privateKeyPath: String) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
        }
    }

    public struct Limits: Sendable, Equatable {
        /// Total bytes of a request's header fields; over it: 431.
        public var maxHeaderBytes: Int
        /// Bytes of a request body; over it: 413.
        public var maxBodyBytes: Int
        /// A keep-alive connection without a request for this long is closed.
        public var idleTimeout: TimeAmount
        /// A request head, or a gap in its body, taking longer than this gets 408.
        public var readTimeout: TimeAmount
        /// A client that takes no response bytes for this long (the gateway's send buffer
        /// to it stays full) is disconnected, releasing its upstream connection.
        public var writeTimeout: TimeAmount

        public init(
            maxHeaderBytes: Int = 32 * 1024, maxBodyBytes: Int = 64 * 1024 * 1024,
            idleTimeout: TimeAmount = .seconds(60), readTimeout: TimeAmount = .seconds(30),
            writeTimeout: TimeAmount = .seconds(30)
        ) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.readTimeout = readTimeout
            self.writeTimeout = writeTimeout
        }
    }

    public struct AccessLogSettings: Sendable, Equatable {
        public var enabled: Bool
        /// Log one request in this many (1 logs every request).
        public var sampleEvery: Int

        public init(enabled: Bool = true, sampleEvery: Int = 1) {
            self.enabled = enabled
            self.sampleEvery = max(1, sampleEvery)
        }
    }

    public init(
        host: String = "0.0.0.0", port: Int = 8080, tls: TLSFiles? = nil, limits: Limits = Limits(),
        tags: [String: String] = [:], accessLog: AccessLogSettings = AccessLogSettings(), viaName: String = "meshgate",
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.tags = tags
        self.accessLog = accessLog
        self.viaName = viaName
        self.metricsFactory = metricsFactory
    }
}
