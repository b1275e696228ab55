import CacheRing
import NIOCore
import Prometheus
import Proxy
import Synchronization

/// The node's cache figures: Prometheus gauges refreshed every second, and a small summary in
/// the member's meta (`cache`: keys, bytes and the gateway's hit rate, hits / (hits + misses)
/// of the requests it answered since the last check) for `meshctl status`. Every meta
/// change bumps the incarnation and floods an alive record, so the summary is checked every
/// `metaInterval` and published only when its rounded figures changed.
final class CacheReporter: Sendable {
    private let cache: MeshCache
    private let node: NodeShell
    private let metrics: CacheStoreMetrics
    private let metaInterval: Int
    /// What the gateway's cache did for each route's requests (`Gateway.cacheOutcomes`).
    private let outcomes: @Sendable () -> [String: CacheOutcomes]
    private let state: Mutex<State>

    private struct State {
        var routes: RouteShareMetrics
        var seconds = 0
        var counted = CacheStoreStats()
        var nearCounted = CacheStoreStats()
        var oversizeCounted = 0
        var published: String?
        /// The gateway's hits and misses when the summary was last checked.
        var window = (hits: 0, misses: 0)
    }

    init(cache: MeshCache, node: NodeShell, registry: PrometheusCollectorRegistry, metaInterval: Int = 10,
         outcomes: @escaping @Sendable () -> [String: CacheOutcomes]) {
        self.cache = cache
        self.node = node
        self.metrics = CacheStoreMetrics(registry: registry)
        self.metaInterval = metaInterval
        self.outcomes = outcomes
        state = Mutex(State(routes: RouteShareMetrics(registry: registry)))
    }

    func start() {
        node.loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in tick() }
    }

    private func tick() {
        let figures = cache.store.figures
        let near = cache.near.figures
        let oversize = cache.peerBodyCap.skipped
        metrics.entries.set(Int64(figures.entries))
        metrics.bytes.set(Int64(figures.bytes))
        metrics.capacity.set(Int64(figures.capacity))
        metrics.nearEntries.set(Int64(near.entries))
        let summary: String? = state.withLock { state in
            state.routes.set(figures.routes)
            let s = figures.stats
            metrics.evicted.increment(by: Int64(s.evicted - state.counted.evicted))
            metrics.invalidated.increment(by: Int64(s.invalidated - state.counted.invalidated))
            metrics.refusedFills.increment(by: Int64(s.refusedFills - state.counted.refusedFills))
            metrics.nearEvicted.increment(by: Int64(near.stats.evicted - state.nearCounted.evicted))
            metrics.nearHits.increment(by: Int64(near.stats.hits - state.nearCounted.hits))
            metrics.oversize.increment(by: Int64(oversize - state.oversizeCounted))
            state.oversizeCounted = oversize
            state.counted = s
            state.nearCounted = near.stats
            state.seconds += 1
            guard state.seconds % metaInterval == 0 else { return nil }
            let requests = CacheOutcomes.total(outcomes().values)
            let (hits, misses) = (requests.hits, requests.misses)
            // A route gone from the config takes its counts with it: a window never counts below 0.
            let (windowHits, windowMisses) = (max(0, hits - state.window.hits), max(0, misses - state.window.misses))
            state.window = (hits, misses)
            var fields = "{\"keys\":\(Self.rounded(figures.entries)),\"bytes\":\(Self.rounded(figures.bytes))"
            if windowHits + windowMisses > 0 {
                let percent = (100 * windowHits) / (windowHits + windowMisses)
                fields += ",\"hit_rate\":\(Double(percent) / 100)"
            }
            let text = fields + "}"
            guard text != state.published else { return nil }
            state.published = text
            return text
        }
        if let summary { node.updateMeta([MetaKey.cache: summary]) }
    }

    /// Two significant digits: a summary that does not change with every stored entry.
    static func rounded(_ value: Int) -> Int {
        var scale = 1
        while value / scale >= 100 { scale *= 10 }
        return (value / scale) * scale
    }
}

/// The store's figures on the node's Prometheus registry.
final class CacheStoreMetrics: Sendable {
    let entries: Prometheus.Gauge
    let bytes: Prometheus.Gauge
    let capacity: Prometheus.Gauge
    let nearEntries: Prometheus.Gauge
    let evicted: Prometheus.Counter
    let invalidated: Prometheus.Counter
    let refusedFills: Prometheus.Counter
    let nearEvicted: Prometheus.Counter
    let nearHits: Prometheus.Counter
    let oversize: Prometheus.Counter

    init(registry: PrometheusCollectorRegistry) {
        entries = registry.meshgateGauge("cache", "entries", help: "Stored responses (variants) in this node's share")
        bytes = registry.meshgateGauge("cache", "bytes", help: "Bytes this node's share accounts, bookkeeping included")
        capacity = registry.meshgateGauge("cache", "capacity_bytes", help: "The share's bound (--cache-size)")
        nearEntries = registry.meshgateGauge("cache", "near_entries", help: "Owners' entries kept in this node's near-cache")
        let evictions = "Entries dropped from the share, by reason"
        evicted = registry.meshgateCounter("cache", "evictions", help: evictions, labels: [("reason", "capacity")])
        invalidated = registry.meshgateCounter("cache", "evictions", help: evictions, labels: [("reason", "bust")])
        nearEvicted = registry.meshgateCounter("cache", "evictions", help: evictions, labels: [("reason", "near-capacity")])
        nearHits = registry.meshgateCounter(
            "cache", "near_hits", help: "Requests for other owners' keys answered from this node's near-cache")
        oversize = registry.meshgateCounter(
            "cache", "oversize_entries",
            help: "Entries kept off peer sessions because a session frame cannot carry them: not copied, handed off, answered or reported")
        refusedFills = registry.meshgateCounter(
            "cache", "refused_fills", help: "Fills not stored because a bust selected them while they were in flight")
    }
}
