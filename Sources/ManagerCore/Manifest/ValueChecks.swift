import Foundation
import Sodium

/// The value rules of the typed model, for configs that did not come from a manifest (an
/// API client's JSON, a decoded bundle): everything the manifest parser refuses by position,
/// refused here by entity, so no value a worker cannot serve is signed or applied.
enum ValueChecks {
    /// Entities equal to the one of the same id in `base` are skipped.
    static func problems(in config: GatewayConfig, checkedBefore base: GatewayConfig? = nil) -> [ManifestValidation.Problem] {
        let checkedUpstreams = config.upstreams.counterparts(in: base?.upstreams ?? [])
        let checkedRoutes = config.routes.counterparts(in: base?.routes ?? [])
        var problems: [ManifestValidation.Problem] = []
        for (index, upstream) in config.upstreams.enumerated()
        where !config.upstreams.isUnchanged(at: index, counterpart: checkedUpstreams[index], in: base?.upstreams ?? []) {
            for message in check(upstream) {
                problems.append(.init(entity: .upstream(index), message: "upstream '\(upstream.id)': \(message)"))
            }
        }
        for (index, route) in config.routes.enumerated()
        where !config.routes.isUnchanged(at: index, counterpart: checkedRoutes[index], in: base?.routes ?? []) {
            for message in check(route) {
                problems.append(.init(entity: .route(index), message: "route '\(route.id)': \(message)"))
            }
        }
        return problems
    }

    static func check(_ u: UpstreamConfig) -> [String] {
        var out: [String] = []
        if u.id.isEmpty { out.append("an empty id") }
        if u.targets.isEmpty { out.append("no targets") }
        for t in u.targets where t.host.isEmpty || !(1...65535).contains(t.port) || t.weight < 1 {
            out.append("target \(t.authority) needs a host, a port 1-65535 and a weight >= 1")
        }
        if u.retries < 0 { out.append("retries below 0") }
        if u.pool.maxIdle < 0 || u.pool.maxConnections < 1 || u.pool.idleTimeout < .zero { out.append("pool limits out of range") }
        if u.connectTimeout <= .zero || u.readTimeout <= .zero { out.append("timeouts must be longer than zero") }
        if u.passiveHealth.maxFailures < 1 || u.passiveHealth.coolDown < .zero { out.append("passive_health out of range") }
        if let h = u.healthCheck, !h.path.hasPrefix("/") || h.interval <= .zero || h.timeout <= .zero
            || h.healthyThreshold < 1 || h.unhealthyThreshold < 1 {
            out.append("health_check out of range")
        }
        if case .consistentHash(let key) = u.balancer, !valid(key) { out.append("hash_on names no field") }
        return out
    }

    static func check(_ r: RouteConfig) -> [String] {
        var out: [String] = []
        if r.id.isEmpty { out.append("an empty id") }
        let path: String
        switch r.match.path {
        case .exact(let p), .prefix(let p): path = p
        }
        if let problem = ValueRules.path(path) { out.append(problem) }
        if r.stripPrefix, case .exact = r.match.path { out.append("strip_prefix needs a path_prefix match") }
        out += r.match.methods.compactMap(ValueRules.method)
        out += r.match.hosts.compactMap(ValueRules.host)
        for header in r.match.headers where !HeaderEditParser.isFieldName(header.name) {
            out.append("'\(header.name)' is not a header name")
        }
        if case .split(let shares, let sticky) = r.destination {
            if shares.isEmpty || shares.contains(where: { $0.weight < 0 }) || shares.allSatisfy({ $0.weight == 0 }) {
                out.append("split needs weights >= 0, one of them > 0")
            }
            if let sticky, !valid(sticky) { out.append("sticky names no field") }
        }
        if let cache = r.cache { out += check(cache).map { "cache: \($0)" } }
        for policy in r.policies { out += check(policy).map { "\(policy.type): \($0)" } }
        return out
    }

    static func check(_ cache: CacheRule) -> [String] {
        var out: [String] = []
        if let ttl = cache.ttl, ttl < .zero { out.append("ttl below zero") }
        out += (cache.methods ?? []).compactMap(ValueRules.method)
        for status in cache.statuses ?? [] where !(200...599).contains(status) {
            out.append("status \(status) is not a final status (200-599)")
        }
        if let size = cache.maxObjectSize, size <= 0 { out.append("max_object_size must be above zero") }
        if let field = cache.tagHeader, !HeaderEditParser.isFieldName(field) { out.append("tag_header: '\(field)' is not a header name") }
        if let key = cache.key {
            if key.query != nil && !key.queryIgnore.isEmpty { out.append("key: query and query_ignore exclude each other") }
            for name in key.headers where !HeaderEditParser.isFieldName(name) { out.append("key: '\(name)' is not a header name") }
        }
        return out
    }

    static func check(_ policy: PolicyConfig) -> [String] {
        switch policy {
        case .apiKey(let c):
            var out: [String] = []
            if !HeaderEditParser.isFieldName(c.header) { out.append("'\(c.header)' is not a header name") }
            if c.keys.isEmpty { out.append("no keys") }
            for key in c.keys where key.sha256.utf8.count != 64 || [UInt8](hex: key.sha256) == nil {
                out.append("a sha256 that is not 64 hex digits")
            }
            return out
        case .jwt(let c):
            var out: [String] = []
            if c.algorithms.isEmpty { out.append("no algorithms") }
            if c.keys.isEmpty && c.jwks == nil { out.append("neither keys nor jwks_url") }
            for key in c.keys {
                do {
                    let parsed = try JWTKeys.verificationKey(key)
                    if !c.algorithms.contains(parsed.algorithm) { out.append("a \(parsed.algorithm.rawValue) key 'algorithms' does not allow") }
                } catch {
                    out.append("a key that does not load: \(error)")
                }
            }
            if let j = c.jwks {
                let components = URLComponents(string: j.url)
                if !["http", "https"].contains(components?.scheme?.lowercased() ?? "") || (components?.host ?? "").isEmpty {
                    out.append("jwks_url is not an http(s) URL")
                }
                if j.refresh <= .zero || j.timeout <= .zero || j.minRefetch < .zero { out.append("jwks durations out of range") }
            }
            if c.leeway < .zero { out.append("leeway below zero") }
            return out
        case .rateLimit(let c):
            return c.requests >= 1 && c.burst >= 1 && c.per > .zero ? [] : ["requests and burst >= 1, per > 0"]
        case .headers(let c):
            var out: [String] = []
            if c.request.isEmpty && c.response.isEmpty { out.append("no edits") }
            for edit in c.request + c.response {
                let names: [String], value: String
                switch edit {
                case .add(let n, let v), .set(let n, let v): names = [n]; value = v
                case .remove(let n): names = [n]; value = ""
                case .rename(let a, let b): names = [a, b]; value = ""
                }
                for name in names where !HeaderEditParser.isFieldName(name) || HTTPToken.isFramingField(name) {
                    out.append("'\(name)' cannot be edited")
                }
                if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) { out.append("a value with a line break") }
            }
            return out
        case .cors(let c):
            var out: [String] = []
            if c.allowOrigins.isEmpty || (c.allowOrigins.contains("*") && c.allowOrigins.count > 1) { out.append("allow_origins out of shape") }
            out += c.allowMethods.compactMap(ValueRules.method)
            if let age = c.maxAge, age < .zero { out.append("max_age below zero") }
            return out
        case .requestSizeLimit(let c):
            return c.maxBytes >= 0 ? [] : ["max_bytes below zero"]
        }
    }

    private static func valid(_ key: HashKey) -> Bool {
        switch key {
        case .header(let name): return HeaderEditParser.isFieldName(name)
        case .cookie(let name): return !name.isEmpty
        case .clientAddress, .consumer: return true
        }
    }
}
