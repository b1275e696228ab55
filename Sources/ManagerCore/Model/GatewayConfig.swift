/// The gateway config: upstreams and routes with their policies and cache rules. It is
/// what `--config` loads, what the manager signs and what every worker compiles into its
/// data plane. Plain values: equal configs encode to the same canonical bytes.
public struct GatewayConfig: Sendable, Equatable, Codable {
    public var upstreams: [UpstreamConfig]
    /// In the order written: the last tie-breaker between equally specific routes.
    public var routes: [RouteConfig]

    public init(upstreams: [UpstreamConfig], routes: [RouteConfig]) {
        self.upstreams = upstreams
        self.routes = routes
    }

    public static let empty = GatewayConfig(upstreams: [], routes: [])
}

public struct UpstreamConfig: Sendable, Equatable, Codable {
    public var id: String
    public var targets: [TargetConfig]
    public var balancer: BalancerKind
    public var pool: PoolLimits
    public var connectTimeout: Duration
    public var readTimeout: Duration
    /// How many more targets an idempotent request (or any request whose connect failed) may try.
    public var retries: Int
    public var passiveHealth: PassiveHealth
    public var healthCheck: HealthCheckConfig?

    public init(id: String, targets: [TargetConfig], balancer: BalancerKind = .roundRobin, pool: PoolLimits = .default,
                connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(60), retries: Int = 1,
                passiveHealth: PassiveHealth = .default, healthCheck: HealthCheckConfig? = nil) {
        self.id = id
        self.targets = targets
        self.balancer = balancer
        self.pool = pool
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.retries = retries
        self.passiveHealth = passiveHealth
        self.healthCheck = healthCheck
    }
}

public struct TargetConfig: Sendable, Hashable, Codable {
    public var host: String
    public var port: Int
    public var weight: Int
    public var tags: [String: String]

    public init(host: String, port: Int, weight: Int = 1, tags: [String: String] = [:]) {
        self.host = host
        self.port = port
        self.weight = weight
        self.tags = tags
    }

    /// `host:port` as written in the target URL.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public enum BalancerKind: Sendable, Equatable, Codable {
    case roundRobin
    case weightedRoundRobin
    case leastConnections
    case consistentHash(HashKey)
}

/// What a consistent hash (or a sticky split) keys on.
public enum HashKey: Sendable, Equatable, Codable {
    case header(String)
    case cookie(String)
    case clientAddress
    case consumer
}

public struct PoolLimits: Sendable, Hashable, Codable {
    public init(maxIdle: Int, maxConnections: Int, idleTimeout: Duration) {
        self.maxIdle = maxIdle
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }

    /// Idle keep-alive connections kept per target and event loop.
    public var maxIdle: Int
    /// Open connections per target and event loop; a request over the limit gets 503.
    public var maxConnections: Int
    /// An idle connection is not reused after this long. Below the upstream's own keep-alive
    /// timeout, a request never meets a connection the upstream is closing at that moment.
    public var idleTimeout: Duration

    public static let `default` = PoolLimits(maxIdle: 128, maxConnections: 1024, idleTimeout: .seconds(4))
}

public struct PassiveHealth: Sendable, Equatable, Codable {
    public init(maxFailures: Int, coolDown: Duration) {
        self.maxFailures = maxFailures
        self.coolDown = coolDown
    }

    /// Consecutive failures (connect errors, resets, timeouts) that eject a target.
    public var maxFailures: Int
    /// How long an ejected target is left out before one request tries it again.
    public var coolDown: Duration

    public static let `default` = PassiveHealth(maxFailures: 3, coolDown: .seconds(10))
}

public struct HealthCheckConfig: Sendable, Equatable, Codable {
    public init(path: String, interval: Duration, timeout: Duration, healthyThreshold: Int, unhealthyThreshold: Int) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
    }

    public var path: String
    public var interval: Duration
    public var timeout: Duration
    public var healthyThreshold: Int
    public var unhealthyThreshold: Int
}

public struct RouteConfig: Sendable, Equatable, Codable {
    public var id: String
    public var match: RouteMatch
    public var destination: RouteDestination
    public var stripPrefix: Bool
    public var policies: [PolicyConfig]
    public var cache: CacheRule?
    /// `underscores_in_headers`: whether request fields with `_` in their names reach this
    /// route's policies and upstream (never those that would read as a framing or hop-by-hop
    /// field); nil leaves it to the gateway's global switch.
    public var underscoresInHeaders: Bool?

    public init(id: String, match: RouteMatch = .everything, destination: RouteDestination, stripPrefix: Bool = false,
                policies: [PolicyConfig] = [], cache: CacheRule? = nil, underscoresInHeaders: Bool? = nil) {
        self.id = id
        self.match = match
        self.destination = destination
        self.stripPrefix = stripPrefix
        self.policies = policies
        self.cache = cache
        self.underscoresInHeaders = underscoresInHeaders
    }
}

public struct RouteMatch: Sendable, Equatable, Codable {
    public init(hosts: [String], path: PathPattern, methods: [String], headers: [HeaderMatch]) {
        self.hosts = hosts
        self.path = path
        self.methods = methods
        self.headers = headers
    }

    /// Exact names and `*.suffix` wildcards, lower-cased; empty matches every host.
    public var hosts: [String]
    public var path: PathPattern
    /// Upper-case method tokens; empty allows every method.
    public var methods: [String]
    /// Lower-case names, in the order written.
    public var headers: [HeaderMatch]

    public static let everything = RouteMatch(hosts: [], path: .prefix("/"), methods: [], headers: [])
}

public struct HeaderMatch: Sendable, Equatable, Codable {
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var name: String
    public var value: String
}

public enum PathPattern: Sendable, Equatable, Codable {
    case exact(String)
    case prefix(String)
}

public enum RouteDestination: Sendable, Equatable, Codable {
    case upstream(String)
    case split([SplitShare], sticky: HashKey?)

    /// Every upstream the route may send to.
    public var upstreamIDs: [String] {
        switch self {
        case .upstream(let id): return [id]
        case .split(let shares, _): return shares.map(\.upstream)
        }
    }
}

public struct SplitShare: Sendable, Equatable, Codable {
    public init(upstream: String, weight: Int) {
        self.upstream = upstream
        self.weight = weight
    }

    public var upstream: String
    public var weight: Int
}

/// `cache: { ttl: 30s, override: false, ... }`: how the route's responses are cached. Fields
/// left out are nil and take the cache's defaults.
public struct CacheRule: Sendable, Equatable, Codable {
    public init(ttl: Duration?, override: Bool, methods: [String]? = nil, statuses: [Int]? = nil,
                maxObjectSize: Int? = nil, key: CacheKeyRule? = nil, tagHeader: String? = nil, debug: Bool? = nil) {
        self.ttl = ttl
        self.override = override
        self.methods = methods
        self.statuses = statuses
        self.maxObjectSize = maxObjectSize
        self.key = key
        self.tagHeader = tagHeader
        self.debug = debug
    }

    /// Freshness given to cacheable responses that carry none of their own.
    public var ttl: Duration?
    /// The route's `ttl` wins over the origin's freshness.
    public var override: Bool
    /// Upper-case methods whose responses are stored; nil: GET and HEAD.
    public var methods: [String]?
    /// Statuses stored; nil: those RFC 9111 allows.
    public var statuses: [Int]?
    /// Bytes; larger bodies are not stored.
    public var maxObjectSize: Int?
    /// Which parts of a request make its key; nil: method, host, path and every query parameter.
    public var key: CacheKeyRule?
    /// The response field that names an entry's tags; nil: `Cache-Tag` and `Surrogate-Key`.
    public var tagHeader: String?
    /// `Cache-Status` names the cache key of every response (RFC 9211 `key`), for debugging.
    public var debug: Bool?
}

/// `key: { method, host, query, query_ignore, headers }` of a cache rule.
public struct CacheKeyRule: Sendable, Equatable, Codable {
    public init(method: Bool = true, host: Bool = true, query: [String]? = nil, queryIgnore: [String] = [],
                headers: [String] = []) {
        self.method = method
        self.host = host
        self.query = query
        self.queryIgnore = queryIgnore
        self.headers = headers
    }

    public var method: Bool
    public var host: Bool
    /// Only these query parameters (a trailing `*` matches a prefix); nil: all of them; empty: none.
    public var query: [String]?
    /// Query parameters left out of the key (a trailing `*` matches a prefix).
    public var queryIgnore: [String]
    /// Request header names whose values are part of the key.
    public var headers: [String]
}
