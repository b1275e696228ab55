import Sodium
import Yams
import Yams

/// Reads one entry of a route's `policies:` list into its typed config, refusing every
/// option a worker could not build: unknown types and keys, bad values, keys that do not
/// parse. What passes here builds on every worker.
enum PolicyParser {
    static func parse(_ entry: ManifestNode) throws -> PolicyConfig {
        let mapping = try entry.mapping("a policy")
        guard let typeNode = mapping["type"], let type = typeNode.scalar?.string else {
            throw entry.error("a policy needs 'type'")
        }
        let options = try PolicyOptions(entry, type: type)
        switch type {
        case "api_key": return .apiKey(try apiKey(options))
        case "jwt": return .jwt(try JWTPolicyParser.parse(options))
        case "rate_limit": return .rateLimit(try rateLimit(options))
        case "headers": return .headers(try HeaderEditParser.parse(options))
        case "cors": return .cors(try cors(options))
        case "request_size_limit": return .requestSizeLimit(try requestSizeLimit(options))
        default:
            throw ManifestNode(node: typeNode, file: entry.file).error(
                "unknown policy type '\(type)' (api_key, jwt, rate_limit, headers, cors, request_size_limit)")
        }
    }

    static func apiKey(_ options: PolicyOptions) throws -> ApiKeyPolicyConfig {
        try options.allowOnly(["type", "header", "keys", "strip"])
        let header = try options.string("header") ?? ApiKeyPolicyConfig.defaultHeader
        guard HeaderEditParser.isFieldName(header) else {
            throw options.error(options.value("header"), "\(options.path).header: '\(header)' is not a valid header name")
        }
        let list = try options.nestedList("keys") ?? []
        guard !list.isEmpty else {
            throw options.error(options.value("keys"), "\(options.path).keys: at least one key is required")
        }
        var seen = Set<String>()
        let keys = try list.map { item -> ApiKeyPolicyConfig.Key in
            try item.allowOnly(["consumer", "sha256"])
            let consumer = try item.requiredString("consumer")
            let hex = try item.requiredString("sha256").lowercased()
            guard hex.utf8.count == 64, [UInt8](hex: hex) != nil else {
                throw item.error(
                    item.value("sha256"),
                    "\(item.path).sha256: expected 64 hex digits, the SHA-256 of the key (printf %s KEY | sha256sum)")
            }
            guard seen.insert(hex).inserted else {
                throw item.error(item.value("sha256"), "\(item.path).sha256: the same key is listed twice")
            }
            return .init(consumer: consumer, sha256: hex)
        }
        return ApiKeyPolicyConfig(header: header, keys: keys, strip: try options.bool("strip") ?? true)
    }

    static func rateLimit(_ options: PolicyOptions) throws -> RateLimitPolicyConfig {
        try options.allowOnly(["type", "requests", "per", "burst", "key"])
        _ = try options.required("requests")
        let requests = try options.int("requests", atLeast: 1)!
        let per = try options.duration("per") ?? .seconds(1)
        guard per > .zero else {
            throw options.error(options.value("per"), "\(options.path).per: must be longer than zero")
        }
        let keyText = try options.string("key") ?? RateLimitPolicyConfig.Subject.consumer.rawValue
        guard let key = RateLimitPolicyConfig.Subject(rawValue: keyText) else {
            throw options.error(options.value("key"), "\(options.path).key: expected consumer, client_address or route")
        }
        return RateLimitPolicyConfig(
            requests: requests, per: per, burst: try options.int("burst", atLeast: 1) ?? requests, key: key)
    }

    static func cors(_ options: PolicyOptions) throws -> CORSPolicyConfig {
        try options.allowOnly([
            "type", "allow_origins", "allow_methods", "allow_headers", "expose_headers", "allow_credentials", "max_age",
        ])
        let origins = try options.stringList("allow_origins") ?? []
        guard !origins.isEmpty else {
            throw options.error(options.value("allow_origins"), "\(options.path).allow_origins: list at least one origin, or '*'")
        }
        if origins.contains("*") {
            guard origins.count == 1 else {
                throw options.error(options.value("allow_origins"), "\(options.path).allow_origins: '*' cannot be combined with other origins")
            }
        } else {
            for origin in origins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
                throw options.error(
                    options.value("allow_origins"),
                    "\(options.path).allow_origins: '\(origin)' is not an origin (scheme://host[:port], no path)")
            }
        }
        let methods = (try options.stringList("allow_methods") ?? ["GET", "HEAD", "POST"]).map { $0.uppercased() }
        if let problem = methods.lazy.compactMap(ValueRules.method).first {
            throw options.error(options.value("allow_methods"), "\(options.path).allow_methods: \(problem)")
        }
        let headers = try options.stringList("allow_headers")
        return CORSPolicyConfig(
            allowOrigins: origins.map { $0.lowercased() },
            allowMethods: methods,
            allowHeaders: headers.map { $0.contains("*") ? nil : $0 } ?? [],
            exposeHeaders: try options.stringList("expose_headers") ?? [],
            allowCredentials: try options.bool("allow_credentials") ?? false,
            maxAge: try options.duration("max_age"))
    }

    static func requestSizeLimit(_ options: PolicyOptions) throws -> RequestSizeLimitPolicyConfig {
        try options.allowOnly(["type", "max_bytes"])
        _ = try options.required("max_bytes")
        return RequestSizeLimitPolicyConfig(maxBytes: try options.byteSize("max_bytes")!)
    }
}

extension PolicyConfig {
    /// One policy entry written on its own (a YAML mapping with `type:`), checked as a
    /// manifest's would be.
    public static func parse(yaml: String, file: String) throws(ConfigErrors) -> PolicyConfig {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(file: file, line: 1, "a policy needs 'type'")
            }
            return try PolicyParser.parse(ManifestNode(node: node, file: file))
        } catch let error as ConfigError {
            throw ConfigErrors([error])
        } catch {
            throw ConfigErrors([ConfigError(file: file, line: 1, "invalid YAML: \(error)")])
        }
    }
}
