import Yams

/// What one manifest file holds, with where each entity was written.
struct ManifestPart {
    var environment: (name: String, position: SourcePosition)?
    var upstreams: [(UpstreamConfig, SourcePosition)] = []
    var routes: [(RouteConfig, SourcePosition)] = []
}

/// Reads one YAML document into upstreams and routes. A bad entity is recorded and the
/// next one read, so one pass reports every problem; cross-references are checked by
/// `ManifestValidation` once every file is read.
struct ManifestParser {
    let file: String
    let references: SecretReferences

    func parse(_ yaml: String, into errors: inout ErrorCollector) -> ManifestPart {
        var part = ManifestPart()
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            errors.record(ConfigError(file: file, line: Self.line(of: error), "invalid YAML: \(Self.problem(of: error))"))
            return part
        } catch {
            errors.record(ConfigError(file: file, line: 1, "invalid YAML: \(error)"))
            return part
        }
        guard let composed = root, let root = errors.attempt({ try references.resolve(composed, file: file) }) else {
            return part
        }
        guard let top = errors.attempt({
            try ManifestNode(node: root, file: file).fields("the config", allowed: ["environment", "upstreams", "routes"])
        }) else { return part }
        if let env = top["environment"] {
            errors.attempt {
                let name = try env.string("environment")
                guard EnvironmentName.isValid(name) else {
                    throw env.error("environment '\(name)' must be letters, digits, '-', '_' or '.'")
                }
                part.environment = (name, env.position)
            }
        }
        for node in errors.attempt({ try top["upstreams"]?.sequence("upstreams") ?? [] }) ?? [] {
            if let upstream = errors.attempt({ try parseUpstream(node) }) { part.upstreams.append((upstream, node.position)) }
        }
        for node in errors.attempt({ try top["routes"]?.sequence("routes") ?? [] }) ?? [] {
            if let route = errors.attempt({ try parseRoute(node) }) { part.routes.append((route, node.position)) }
        }
        return part
    }

    private func parseUpstream(_ node: ManifestNode) throws -> UpstreamConfig {
        let f = try node.fields("an upstream", allowed: [
            "id", "targets", "balancer", "hash_on", "pool", "timeouts", "retries", "passive_health", "health_check",
        ])
        let id = try f.required("id").string("upstream id")
        let targets = try f.required("targets").sequence("targets").map(parseTarget)
        if targets.isEmpty { throw node.error("upstream '\(id)' has no targets") }
        var pool = PoolLimits.default
        if let p = try f["pool"]?.fields("pool", allowed: ["max_idle", "max_connections", "idle_timeout"]) {
            pool.maxIdle = try p["max_idle"]?.int("max_idle") ?? pool.maxIdle
            pool.maxConnections = try p["max_connections"]?.int("max_connections", min: 1) ?? pool.maxConnections
            pool.idleTimeout = try p["idle_timeout"]?.duration("idle_timeout") ?? pool.idleTimeout
        }
        var connect = Duration.seconds(5), read = Duration.seconds(60)
        if let t = try f["timeouts"]?.fields("timeouts", allowed: ["connect", "read"]) {
            connect = try t["connect"]?.duration("connect timeout") ?? connect
            read = try t["read"]?.duration("read timeout") ?? read
        }
        var passive = PassiveHealth.default
        if let p = try f["passive_health"]?.fields("passive_health", allowed: ["max_failures", "cool_down"]) {
            passive.maxFailures = try p["max_failures"]?.int("max_failures", min: 1) ?? passive.maxFailures
            passive.coolDown = try p["cool_down"]?.duration("cool_down") ?? passive.coolDown
        }
        return UpstreamConfig(
            id: id, targets: targets,
            balancer: try parseBalancer(f, upstream: id, at: node),
            pool: pool, connectTimeout: connect, readTimeout: read,
            retries: try f["retries"]?.int("retries") ?? 1,
            passiveHealth: passive,
            healthCheck: try f["health_check"].map(parseHealthCheck))
    }

    private func parseBalancer(_ f: ManifestFields, upstream: String, at node: ManifestNode) throws -> BalancerKind {
        let name = try f["balancer"]?.string("balancer") ?? "round_robin"
        let hashOn = try f["hash_on"].map { try parseHashKey($0, what: "hash_on", allowConsumer: false) }
        switch name {
        case "round_robin": return .roundRobin
        case "weighted_round_robin": return .weightedRoundRobin
        case "least_connections": return .leastConnections
        case "consistent_hash":
            guard let hashOn else { throw node.error("upstream '\(upstream)': consistent_hash needs 'hash_on'") }
            return .consistentHash(hashOn)
        default:
            throw f["balancer"]!.error(
                "unknown balancer '\(name)' (round_robin, weighted_round_robin, least_connections, consistent_hash)")
        }
    }

    private func parseHashKey(_ node: ManifestNode, what: String, allowConsumer: Bool) throws -> HashKey {
        var allowed: Set<String> = ["header", "cookie", "client_address"]
        if allowConsumer { allowed.insert("consumer") }
        let f = try node.fields(what, allowed: allowed)
        guard f.values.count == 1 else { throw node.error("\(what) names exactly one of: \(allowed.sorted().joined(separator: ", "))") }
        if let h = f["header"] { return .header(try h.string("header").lowercased()) }
        if let c = f["cookie"] { return .cookie(try c.string("cookie")) }
        if let a = f["client_address"] {
            guard try a.bool("client_address") else { throw a.error("client_address must be true") }
            return .clientAddress
        }
        guard try f["consumer"]!.bool("consumer") else { throw f["consumer"]!.error("consumer must be true") }
        return .consumer
    }

    private func parseTarget(_ node: ManifestNode) throws -> TargetConfig {
        let f = try node.fields("a target", allowed: ["url", "weight", "tags"])
        let urlNode = try f.required("url")
        let url = try urlNode.string("url")
        guard let (host, port) = Self.splitURL(url) else {
            throw urlNode.error("target url '\(url)' must look like http://HOST:PORT")
        }
        var tags: [String: String] = [:]
        if let t = f["tags"] {
            for (k, v) in try t.mapping("tags") {
                guard let key = k.scalar?.string, let value = v.scalar?.string else { throw t.error("tags must map strings to strings") }
                tags[key] = value
            }
        }
        return TargetConfig(host: host, port: port, weight: try f["weight"]?.int("weight", min: 1) ?? 1, tags: tags)
    }

    static func splitURL(_ url: String) -> (String, Int)? {
        guard url.hasPrefix("http://") else { return nil }
        var rest = url.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else { return nil }
        let host: Substring, portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            portText = after.isEmpty ? nil : (after.hasPrefix(":") ? after.dropFirst() : nil)
            if !after.isEmpty && portText == nil { return nil }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
            portText = nil
        }
        let port = portText.map { Int($0) } ?? 80
        guard let port, (1...65535).contains(port), !host.isEmpty else { return nil }
        return (String(host), port)
    }

    private func parseHealthCheck(_ node: ManifestNode) throws -> HealthCheckConfig {
        let f = try node.fields("health_check", allowed: ["path", "interval", "timeout", "healthy_threshold", "unhealthy_threshold"])
        let path = try f["path"]?.string("health_check path") ?? "/"
        guard path.hasPrefix("/") else { throw node.error("health_check path must start with /") }
        return HealthCheckConfig(
            path: path,
            interval: try f["interval"]?.duration("interval") ?? .seconds(5),
            timeout: try f["timeout"]?.duration("timeout") ?? .seconds(1),
            healthyThreshold: try f["healthy_threshold"]?.int("healthy_threshold", min: 1) ?? 2,
            unhealthyThreshold: try f["unhealthy_threshold"]?.int("unhealthy_threshold", min: 1) ?? 3)
    }

    private func parseRoute(_ node: ManifestNode) throws -> RouteConfig {
        let f = try node.fields("a route", allowed: [
            "id", "match", "upstream", "split", "sticky", "strip_prefix", "policies", "cache", "underscores_in_headers",
        ])
        let id = try f.required("id").string("route id")
        let destination: RouteDestination
        switch (f["upstream"], f["split"]) {
        case (let u?, nil):
            if f["sticky"] != nil { throw node.error("route '\(id)': sticky needs split") }
            destination = .upstream(try u.string("upstream"))
        case (nil, let s?):
            let shares = try s.sequence("split").map { entry -> SplitShare in
                let e = try entry.fields("a split entry", allowed: ["upstream", "weight"])
                return SplitShare(
                    upstream: try e.required("upstream").string("upstream"),
                    weight: try e.required("weight").int("weight"))
            }
            if shares.isEmpty || shares.allSatisfy({ $0.weight == 0 }) {
                throw s.error("route '\(id)': split needs at least one entry with weight > 0")
            }
            let sticky = try f["sticky"].map { try parseHashKey($0, what: "sticky", allowConsumer: true) }
            destination = .split(shares, sticky: sticky)
        case (nil, nil): throw node.error("route '\(id)' needs 'upstream' or 'split'")
        case (_?, _?): throw node.error("route '\(id)' has both 'upstream' and 'split'")
        }
        let match = try parseMatch(f["match"], route: id, at: node)
        let strip = try f["strip_prefix"]?.bool("strip_prefix") ?? false
        if strip, case .exact = match.path { throw f["strip_prefix"]!.error("strip_prefix needs a path_prefix match") }
        return RouteConfig(
            id: id, match: match, destination: destination, stripPrefix: strip,
            policies: try f["policies"]?.sequence("policies").map(PolicyParser.parse) ?? [],
            cache: try f["cache"].map(parseCache),
            underscoresInHeaders: try f["underscores_in_headers"]?.bool("underscores_in_headers"))
    }

    private func parseMatch(_ node: ManifestNode?, route: String, at routeNode: ManifestNode) throws -> RouteMatch {
        guard let node else { return .everything }
        let f = try node.fields("match", allowed: ["host", "hosts", "path", "path_prefix", "methods", "headers"])
        var hosts: [String] = []
        if let h = f["host"] { hosts.append(try h.string("host")) }
        if let hs = f["hosts"] { hosts += try hs.sequence("hosts").map { try $0.string("host") } }
        hosts = try hosts.map { host in
            let lower = host.lowercased()
            if let problem = ValueRules.host(lower) { throw node.error("route '\(route)': \(problem)") }
            return lower
        }
        let path: PathPattern
        switch (f["path"], f["path_prefix"]) {
        case (let p?, nil): path = .exact(try checkedPath(p))
        case (nil, let p?): path = .prefix(try checkedPath(p))
        case (nil, nil): path = .prefix("/")
        case (_?, _?): throw node.error("route '\(route)': match has both 'path' and 'path_prefix'")
        }
        let methods = try f["methods"]?.sequence("methods").map { m -> String in
            let method = try m.string("method").uppercased()
            if let problem = ValueRules.method(method) { throw m.error(problem) }
            return method
        } ?? []
        var headers: [HeaderMatch] = []
        if let h = f["headers"] {
            for (k, v) in try h.mapping("headers") {
                guard let name = k.scalar?.string, let value = v.scalar?.string,
                    !name.isEmpty, name.utf8.allSatisfy(HTTPToken.isTokenChar)
                else { throw h.error("match headers must map header names to strings") }
                headers.append(HeaderMatch(name: name.lowercased(), value: value))
            }
        }
        return RouteMatch(hosts: hosts, path: path, methods: methods, headers: headers)
    }

    private func checkedPath(_ node: ManifestNode) throws -> String {
        let path = try node.string("path")
        if let problem = ValueRules.path(path) { throw node.error(problem) }
        return path
    }

    private func parseCache(_ node: ManifestNode) throws -> CacheRule {
        let f = try node.fields("cache", allowed: ["ttl", "override", "methods", "statuses", "max_object_size", "key", "tag_header", "debug"])
        return CacheRule(
            ttl: try f["ttl"]?.duration("ttl"),
            override: try f["override"]?.bool("override") ?? false,
            methods: try f["methods"]?.sequence("methods").map { try $0.string("a method").uppercased() },
            statuses: try f["statuses"]?.sequence("statuses").map { try $0.int("a status") },
            maxObjectSize: try f["max_object_size"]?.byteSize("max_object_size"),
            key: try f["key"].map(parseCacheKey),
            tagHeader: try f["tag_header"]?.string("tag_header"),
            debug: try f["debug"]?.bool("debug"))
    }

    private func parseCacheKey(_ node: ManifestNode) throws -> CacheKeyRule {
        let f = try node.fields("key", allowed: ["method", "host", "query", "query_ignore", "headers"])
        return CacheKeyRule(
            method: try f["method"]?.bool("method") ?? true,
            host: try f["host"]?.bool("host") ?? true,
            query: try f["query"]?.sequence("query").map { try $0.string("a query parameter") },
            queryIgnore: try f["query_ignore"]?.sequence("query_ignore").map { try $0.string("a query parameter") } ?? [],
            headers: try f["headers"]?.sequence("headers").map { try $0.string("a header name") } ?? [])
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}
