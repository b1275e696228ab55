import CacheRing
import ManagerCore
import NIOCore
import NIOHTTP1
import Synchronization

/// A route ready to serve: predicates, destination, built policies, metric handles.
final class CompiledRoute: Sendable {
    let config: RouteConfig
    let id: String
    let methods: [String]
    let headers: [HeaderMatch]
    /// Leading path segments to remove before forwarding (`strip_prefix`); 0 keeps the path.
    let stripSegments: Int
    let destination: Destination
    let policies: [any RequestPolicy]
    /// The smallest `request_size_limit` among the policies, counted against streamed bodies too.
    let maxBodyBytes: Int?
    /// The route's `cache:` rule; nil: its responses are neither stored nor served from the cache.
    let cache: CacheRules?
    /// `underscores_in_headers`: whether request fields with `_` in their names go on; nil
    /// leaves it to the gateway's global switch.
    let underscoresInHeaders: Bool?
    let metricsSlot: RouteMetricsSlot
    var metrics: RouteMetrics { metricsSlot.handles }

    enum Destination: Sendable {
        case single(UpstreamRuntime)
        case split(SplitRuntime)

        /// Whether every upstream it sends to is the one `upstreams` holds now.
        func isSame(in upstreams: [String: UpstreamRuntime]) -> Bool {
            switch self {
            case .single(let upstream): return upstreams[upstream.config.id] === upstream
            case .split(let split): return split.shares.allSatisfy { upstreams[$0.upstream.config.id] === $0.upstream }
            }
        }
    }

    init(config: RouteConfig, destination: Destination, policies: [any RequestPolicy], metrics: RouteMetricsSlot) {
        self.config = config
        self.id = config.id
        self.methods = config.match.methods
        self.headers = config.match.headers
        if config.stripPrefix, case .prefix(let prefix) = config.match.path {
            stripSegments = prefix.split(separator: "/").count
        } else {
            stripSegments = 0
        }
        self.destination = destination
        self.policies = policies
        self.maxBodyBytes = policies.compactMap { ($0 as? RequestSizeLimit)?.maxBytes }.min()
        self.cache = config.cache.map(CacheRules.init)
        self.underscoresInHeaders = config.underscoresInHeaders
        self.metricsSlot = metrics
    }

    /// Specificity beyond the path: a method restriction, then each header condition.
    var rank: Int { (methods.isEmpty ? 0 : 64) + min(headers.count, 63) }

    /// No method restriction and no header condition: the path alone decides.
    var acceptsEveryRequest: Bool { methods.isEmpty && headers.isEmpty }

    func accepts(_ method: HTTPMethod, _ fields: some FieldLookup) -> Bool {
        if !methods.isEmpty && !methods.contains(method.rawValue) { return false }
        for condition in headers where fields.first(name: condition.name) != condition.value { return false }
        return true
    }
}

/// Weighted shares of a route's traffic over several upstreams, optionally sticky:
/// the same consumer, cookie or header value lands on the same share while weights hold.
final class SplitRuntime: Sendable {
    let shares: [(upstream: UpstreamRuntime, weight: Int)]
    let sticky: HashKey?
    private let schedule: [Int]
    private let totalWeight: UInt64
    private let counter = Atomic<Int>(0)

    init(shares: [(upstream: UpstreamRuntime, weight: Int)], sticky: HashKey?) {
        self.shares = shares
        self.sticky = sticky
        self.schedule = WeightedSchedule.make(weights: shares.map(\.weight))
        self.totalWeight = UInt64(shares.reduce(0) { $0 + $1.weight })
    }

    func pick(stickyKey: String?) -> UpstreamRuntime {
        if let stickyKey {
            var point = StableHash.hash(stickyKey) % totalWeight
            for share in shares {
                if point < UInt64(share.weight) { return share.upstream }
                point -= UInt64(share.weight)
            }
        }
        let slot = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return shares[schedule[slot % schedule.count]].upstream
    }
}
