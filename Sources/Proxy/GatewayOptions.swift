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
    /// What happens to request fields whose names hold an underscore.
    public var underscoredFields: UnderscoredFields
    /// Name this gateway gives itself in `Via`.
    public var viaName: String
    /// Where metrics go; nil uses the process-wide `MetricsSystem` (what the node bootstraps).
    public var metricsFactory: (any MetricsFactory)?
    /// The response cache of routes with a `cache:` rule; nil: they forward every request.
    public var cache: (any ResponseCache)?

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
        /// Most field lines in a request head (over it: 431) or an upstream's response head
        /// (over it: 502).
        public var maxHeaderFields: Int
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
            maxHeaderBytes: Int = 32 * 1024, maxHeaderFields: Int = 100, maxBodyBytes: Int = 64 * 1024 * 1024,
            idleTimeout: TimeAmount = .seconds(60), readTimeout: TimeAmount = .seconds(30),
            writeTimeout: TimeAmount = .seconds(30)
        ) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderFields = maxHeaderFields
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.readTimeout = readTimeout
            self.writeTimeout = writeTimeout
        }
    }

    public struct AccessLogSettings: Sendable, Equatable {
        public var destination: AccessLogDestination
        public var format: AccessLogFormat
        /// Log one request in this many (1 logs every request).
        public var sampleEvery: Int
        /// Bytes of lines waiting for the writer; a line that does not fit is dropped and
        /// counted. The writer holds a second buffer of this size while it writes one out.
        /// At least 4 KiB.
        public var bufferBytes: Int

        public init(
            destination: AccessLogDestination = .off, format: AccessLogFormat = .json, sampleEvery: Int = 1,
            bufferBytes: Int = 1 << 20
        ) {
            self.destination = destination
            self.format = format
            self.sampleEvery = max(1, sampleEvery)
            self.bufferBytes = max(4096, bufferBytes)
        }
    }

    public init(
        host: String = "0.0.0.0", port: Int = 8080, tls: TLSFiles? = nil, limits: Limits = Limits(),
        tags: [String: String] = [:], accessLog: AccessLogSettings = AccessLogSettings(),
        underscoredFields: UnderscoredFields = .dropped, viaName: String = "meshgate",
        metricsFactory: (any MetricsFactory)? = nil, cache: (any ResponseCache)? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.tags = tags
        self.accessLog = accessLog
        self.underscoredFields = underscoredFields
        self.viaName = viaName
        self.metricsFactory = metricsFactory
        self.cache = cache
    }
}

/// Where the gateway's access log goes.
public enum AccessLogDestination: Sendable, Equatable {
    case off
    case standardOutput
    /// Appended to; reopened on ``Gateway/reopenAccessLog()`` (after a rotation moved it).
    case file(String)

    /// As `--access-log` names it: `-` for standard output.
    public var name: String {
        switch self {
        case .off: "off"
        case .standardOutput: "-"
        case .file(let path): path
        }
    }
}

public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case json
    /// The NCSA combined format of nginx and Apache, which log tools parse.
    case combined
}

/// What the gateway does with a request field whose name holds an underscore, which an
/// origin that maps `_` to `-` (CGI-style environments, some frameworks) reads as another
/// field (nginx's `underscores_in_headers`); a route's own `underscores_in_headers` wins.
public enum UnderscoredFields: String, Sendable, CaseIterable {
    /// Every such field is dropped.
    case dropped
    /// Kept, except those that would read as a framing or hop-by-hop field (`Content-Length`,
    /// `Transfer-Encoding`, `Host`, `Connection`, ...), which are always dropped.
    case kept
}
