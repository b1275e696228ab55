import Foundation

/// `type: jwt` options. Every inline key is parsed here, so a key that would not load on
/// a worker is refused before anything is signed.
enum JWTPolicyParser {
    static func parse(_ options: PolicyOptions) throws -> JWTPolicyConfig {
        try options.allowOnly([
            "type", "algorithms", "keys", "jwks_url", "jwks_refresh", "jwks_min_refetch", "jwks_timeout",
            "issuer", "audience", "leeway", "require_exp", "consumer_claim",
        ])
        let names = try options.stringList("algorithms") ?? JWTSignatureAlgorithm.allCases.map(\.rawValue)
        let algorithms = Set(try names.map { name in
            guard let algorithm = JWTSignatureAlgorithm(rawValue: name) else {
                throw options.error(
                    options.value("algorithms"),
                    "\(options.path).algorithms: unsupported '\(name)' (supported: HS256, RS256, ES256, EdDSA)")
            }
            return algorithm
        })
        let keys = try (options.nestedList("keys") ?? []).map(inlineKey)
        var jwks: JWTPolicyConfig.JWKSSource?
        if let url = try options.string("jwks_url") {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
            else {
                throw options.error(options.value("jwks_url"), "\(options.path).jwks_url: not an http:// or https:// URL: \(url)")
            }
            let source = JWTPolicyConfig.JWKSSource(
                url: url,
                refresh: try options.duration("jwks_refresh") ?? .seconds(300),
                minRefetch: try options.duration("jwks_min_refetch") ?? .seconds(10),
                timeout: try options.duration("jwks_timeout") ?? .seconds(5))
            guard source.refresh > .zero, source.timeout > .zero else {
                throw options.error(options.value("jwks_refresh"), "\(options.path): jwks_refresh and jwks_timeout must be longer than zero")
            }
            jwks = source
        }
        guard !keys.isEmpty || jwks != nil else {
            throw options.error(nil, "\(options.path): give 'keys' or 'jwks_url'")
        }
        for key in keys {
            let algorithm = try! JWTKeys.verificationKey(key).algorithm
            guard algorithms.contains(algorithm) else {
                throw options.error(
                    options.value("keys"),
                    "\(options.path).keys: a \(algorithm.rawValue) key is listed but 'algorithms' does not allow it")
            }
        }
        return JWTPolicyConfig(
            algorithms: algorithms.sorted(), keys: keys, jwks: jwks,
            issuers: try options.stringList("issuer"), audiences: try options.stringList("audience"),
            leeway: try options.duration("leeway") ?? .seconds(30),
            requireExpiry: try options.bool("require_exp") ?? true,
            consumerClaim: try options.string("consumer_claim") ?? "sub")
    }

    private static func inlineKey(_ item: PolicyOptions) throws -> JWTPolicyConfig.InlineKey {
        try item.allowOnly(["kid", "alg", "secret", "pem", "jwk"])
        let key: JWTPolicyConfig.InlineKey
        if let jwk = try item.nested("jwk") {
            try jwk.allowOnly(["kty", "kid", "alg", "use", "crv", "x", "y", "n", "e", "k"])
            let material = JSONWebKey(
                kty: try jwk.string("kty"), kid: try jwk.string("kid") ?? item.string("kid"),
                alg: try jwk.string("alg") ?? item.string("alg"), use: try jwk.string("use"),
                crv: try jwk.string("crv"), x: try jwk.string("x"), y: try jwk.string("y"),
                n: try jwk.string("n"), e: try jwk.string("e"), k: try jwk.string("k"))
            key = .init(kid: material.kid, algorithm: nil, material: .jwk(material))
        } else {
            let kid = try item.string("kid")
            let name = try item.requiredString("alg")
            guard let algorithm = JWTSignatureAlgorithm(rawValue: name) else {
                throw item.error(item.value("alg"), "\(item.path).alg: unsupported '\(name)' (supported: HS256, RS256, ES256, EdDSA)")
            }
            if let secret = try item.string("secret") {
                guard algorithm == .hs256 else {
                    throw item.error(item.value("secret"), "\(item.path): a 'secret' is for HS256 only")
                }
                key = .init(kid: kid, algorithm: algorithm, material: .secret(secret))
            } else if let pem = try item.string("pem") {
                key = .init(kid: kid, algorithm: algorithm, material: .pem(pem))
            } else {
                throw item.error(nil, "\(item.path): give 'secret' (HS256), 'pem' or 'jwk'")
            }
        }
        do {
            _ = try JWTKeys.verificationKey(key)
        } catch {
            throw item.error(nil, "\(item.path): \(error)")
        }
        return key
    }
}

/// Turns an inline key of a validated config into the key that verifies signatures.
public enum JWTKeys {
    public static func verificationKey(_ key: JWTPolicyConfig.InlineKey) throws -> JWTVerificationKey {
        switch key.material {
        case .jwk(let jwk):
            return try jwk.verificationKey()
        case .secret(let secret):
            return try JWTVerificationKey.secret(secret, kid: key.kid)
        case .pem(let pem):
            return try JWTVerificationKey.pem(pem, algorithm: key.algorithm ?? .rs256, kid: key.kid)
        }
    }
}
