import NIOCore
import Yams

/// The validated gateway config: upstreams, routes with their policy specs and cache
/// rules. It is what `--config` loads and what the manager will sign; `Gateway`
/// compiles it into an immutable snapshot.
///
/// Policy specs keep the YAML mapping they were written as; nothing mutates it after
/// parsing, which is why the model may cross threads.
public struct GatewayConfig: @unchecked Sendable {
    public var upstreams: [UpstreamConfig]
    public var routes: [RouteConfig]

    public init(upstreams: [UpstreamConfig], routes: [RouteConfig]) {
        self.upstreams = upstreams
        self.routes = routes
    }
}

/// Where a config element was written, for "file:line: message" errors.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

public struct UpstreamConfig: Sendable {
    public var id: String
    public var targets: [TargetConfig]
    public var balancer: BalancerKind
    public var pool: PoolLimits
    public var connectTimeout: TimeAmount
    public var readTimeout: TimeAmount
    /// How many more targets an idempotent request (or any request whose connect failed) may try.
    public var retries: Int
    public var passiveHealth: PassiveHealth
    public var healthCheck: HealthCheckConfig?
    public var position: SourcePosition
}

public struct TargetConfig: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var weight: Int
    public var tags: [String: String]
    public var position: SourcePosition

    /// `host:port` as written in the target URL.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func == (a: TargetConfig, b: TargetConfig) -> Bool {
        a.host == b.host && a.port == b.port && a.weight == b.weight && a.tags == b.tags
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
    }
}

public enum BalancerKind: Sendable, Equatable {
    case roundRobin
    case weightedRoundRobin
    case leastConnections
    case consistentHash(HashKey)
}

/// What a consistent hash (or a sticky split) keys on.
public enum HashKey: Sendable, Equatable {
    case header(String)
    case cookie(String)
    case clientAddress
    case consumer
}

public struct PoolLimits: Sendable, Hashable {
    /// Idle keep-alive connections kept per target and event loop.
    public var maxIdle: Int
    /// Open connections per target and event loop; a request over the limit gets 503.
    public var maxConnections: Int
    /// An idle connection is not reused after this long. Below the upstream's own keep-alive
    /// timeout, a request never meets a connection the upstream is closing at that moment.
    public var idleTimeout: TimeAmount

    public static let `default` = PoolLimits(maxIdle: 128, maxConnections: 1024, idleTimeout: .seconds(4))
}

public struct PassiveHealth: Sendable, Equatable {
    /// Consecutive failures (connect errors, resets, timeouts) that eject a target.
    public var maxFailures: Int
    /// How long an ejected target is left out before one request tries it again.
    public var coolDown: TimeAmount

    public static let `default` = PassiveHealth(maxFailures: 3, coolDown: .seconds(10))
}

public struct HealthCheckConfig: Sendable, Equatable {
    public var path: String
    public var interval: TimeAmount
    public var timeout: TimeAmount
    public var healthyThreshold: Int
    public var unhealthyThreshold: Int
}

public struct RouteConfig: @unchecked Sendable {
    public var id: String
    public var match: RouteMatch
    public var destination: RouteDestination
    public var stripPrefix: Bool
    public var policies: [PolicySpec]
    public var cache: CacheRule?
    public var position: SourcePosition
}

public struct RouteMatch: Sendable, Equatable {
    /// Exact names and `*.suffix` wildcards; empty matches every host.
    public var hosts: [String]
    public var path: PathPattern
    /// Upper-case method tokens; empty allows every method.
    public var methods: [String]
    public var headers: [(name: String, value: String)]

    public static func == (a: RouteMatch, b: RouteMatch) -> Bool {
        a.hosts == b.hosts && a.path == b.path && a.methods == b.methods
            && a.headers.elementsEqual(b.headers, by: { $0.name == $1.name && $0.value == $1.value })
    }
}

public enum PathPattern: Sendable, Equatable {
    case exact(String)
    case prefix(String)
}

public enum RouteDestination: Sendable, Equatable {
    case upstream(String)
    case split([SplitShare], sticky: HashKey?)
}

public struct SplitShare: Sendable, Equatable {
    public var upstream: String
    public var weight: Int
}

/// `cache: { ttl: 30s, override: false }`: kept in the model for the response cache.
public struct CacheRule: Sendable, Equatable {
    public var ttl: TimeAmount?
    public var override: Bool
}
