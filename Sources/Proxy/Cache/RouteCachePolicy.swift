import CacheRing
import ManagerCore

extension CacheRules {
    /// A route's `cache:` rule as the cache applies it.
    init(_ rule: CacheRule) {
        let key = rule.key ?? CacheKeyRule()
        let query: CacheKeyTemplate.QueryParameters
        switch key.query {
        case nil: query = key.queryIgnore.isEmpty ? .all : .except(key.queryIgnore)
        case let names? where names.isEmpty: query = .none
        case let names?: query = .only(names)
        }
        self.init(
            defaultTTL: rule.ttl.map { Int($0.components.seconds) },
            override: rule.override,
            methods: Set(rule.methods ?? ["GET", "HEAD"]),
            statuses: rule.statuses.map(Set.init),
            maxObjectSize: rule.maxObjectSize ?? 8 << 20,
            key: CacheKeyTemplate(method: key.method, host: key.host, query: query, headers: key.headers),
            tagFields: rule.tagHeader.map { [$0] } ?? CacheRules.defaultTagFields,
            showsKey: rule.debug ?? false)
    }
}
