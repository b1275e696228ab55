import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// `type: jwt`: the request must carry `Authorization: Bearer <JWS>` signed with HS256,
/// RS256, ES256 or EdDSA by a key given inline (`keys:`) or published at `jwks_url`.
/// `exp` (required unless `require_exp: false`) and `nbf` are checked with `leeway`,
/// `iss` and `aud` when `issuer` / `audience` are set. The consumer is the value of
/// `consumer_claim` (default `sub`).
///
/// A token whose `kid` is not known yet waits (``PolicyDecision/deferred(_:)``) for one
/// JWKS fetch shared with every other such request; when that fetch brings the key,
/// the deferred decision is `.proceed` and evaluating the policy again (as the data
/// plane does) finds the key at once and names the consumer.
public struct JWTAuth: RequestPolicy {
    public typealias WallClock = @Sendable () -> Double

    enum Check: Sendable {
        case verified
        case unknownKey
        case rejected(PolicyRejection)
    }

    public let algorithms: Set<JWTSignatureAlgorithm>
    public let issuers: [String]?
    public let audiences: [String]?
    public let leeway: Duration
    public let requireExpiry: Bool
    public let consumerClaim: String
    let inlineKeys: [JWTVerificationKey]
    let jwks: JWKSCache?
    private let leewaySeconds: Double
    private let now: WallClock
    private let rejections: Rejections

    public init(
        _ spec: PolicySpec,
        context: PolicyBuildContext,
        now: @escaping WallClock = { Date().timeIntervalSince1970 }
    ) throws {
        let options = try PolicyOptions(spec)
        try options.allowOnly([
            "type", "algorithms", "keys", "jwks_url", "jwks_refresh", "jwks_min_refetch", "jwks_timeout",
            "issuer", "audience", "leeway", "require_exp", "consumer_claim",
        ])
        let algorithmNames = try options.stringList("algorithms") ?? JWTSignatureAlgorithm.allCases.map(\.rawValue)
        algorithms = Set(
            try algorithmNames.map { name in
                guard let algorithm = JWTSignatureAlgorithm(rawValue: name) else {
                    throw options.error(
                        options.value("algorithms"),
                        "\(spec.type).algorithms: unsupported '\(name)' (supported: HS256, RS256, ES256, EdDSA)"
                    )
                }
                return algorithm
            }
        )
        inlineKeys = try (options.nestedList("keys") ?? []).map { try Self.inlineKey($0) }
        if let url = try options.string("jwks_url") {
            let settings = JWKSCache.Settings(
                url: url,
                refresh: Self.timeAmount(try options.duration("jwks_refresh") ?? .seconds(300)),
                minRefetch: Self.timeAmount(try options.duration("jwks_min_refetch") ?? .seconds(10)),
                timeout: Self.timeAmount(try options.duration("jwks_timeout") ?? .seconds(5))
            )
            guard settings.refresh > .zero, settings.timeout > .zero else {
                throw options.error(options.value("jwks_refresh"), "\(spec.type): jwks_refresh and jwks_timeout must be longer than zero")
            }
            do {
                jwks = try JWKSCache.shared(settings, group: context.group, logger: context.logger)
            } catch {
                throw options.error(options.value("jwks_url"), "\(spec.type).jwks_url: \(error)")
            }
        } else {
            jwks = nil
        }
        guard !inlineKeys.isEmpty || jwks != nil else {
            throw options.error(nil, "\(spec.type): give 'keys' or 'jwks_url'")
        }
        for key in inlineKeys where !algorithms.contains(key.algorithm) {
            throw options.error(
                options.value("keys"),
                "\(spec.type).keys: a \(key.algorithm.rawValue) key is listed but 'algorithms' does not allow it"
            )
        }
        issuers = try options.stringList("issuer")
        audiences = try options.stringList("audience")
        leeway = try options.duration("leeway") ?? .seconds(30)
        requireExpiry = try options.bool("require_exp") ?? true
        consumerClaim = try options.string("consumer_claim") ?? "sub"
        leewaySeconds = Double(leeway.components.seconds) + Double(leeway.components.attoseconds) / 1e18
        self.now = now
        rejections = Rejections(policy: spec.type, logger: context.logger)
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        guard let authorization = context.head.headers.first(name: "Authorization") else {
            return rejections.missing.decision(context)
        }
        guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return rejections.missing.decision(context)
        }
        let token: JWTToken
        do {
            token = try JWTToken(authorization.dropFirst(7).drop(while: { $0 == " " }), consumerClaim: consumerClaim)
        } catch {
            return rejections.malformed.decision(context)
        }
        guard token.header.crit?.isEmpty ?? true else {
            return rejections.malformed.decision(context)
        }
        guard let algorithm = JWTSignatureAlgorithm(rawValue: token.header.alg), algorithms.contains(algorithm) else {
            return rejections.algorithm.decision(context)
        }
        switch check(token, algorithm, jwksKeys: jwks?.keys ?? []) {
        case .verified:
            return accept(token, &context)
        case .rejected(let rejection):
            return rejection.decision(context)
        case .unknownKey:
            guard let fetched = jwks?.fetchForUnknownKey(on: eventLoop) else {
                return rejections.unknownKey.decision(context)
            }
            let waiting = context
            return .deferred(
                fetched.map { keys in
                    var context = waiting
                    switch check(token, algorithm, jwksKeys: keys) {
                    case .verified: return accept(token, &context)
                    case .rejected(let rejection): return rejection.decision(context)
                    case .unknownKey: return rejections.unknownKey.decision(context)
                    }
                }.recover { _ in
                    rejections.unknownKey.decision(waiting)
                }
            )
        }
    }

    private func check(_ token: JWTToken, _ algorithm: JWTSignatureAlgorithm, jwksKeys: [JWTVerificationKey]) -> Check {
        if let kid = token.header.kid {
            guard let key = inlineKeys.first(where: { $0.kid == kid }) ?? jwksKeys.first(where: { $0.kid == kid }) else {
                return .unknownKey
            }
            guard key.algorithm == algorithm, key.isValidSignature(token.signature, for: token.signingInput.utf8) else {
                return .rejected(rejections.signature)
            }
            return .verified
        }
        var candidates = 0
        for key in inlineKeys where key.algorithm == algorithm {
            candidates += 1
            if key.isValidSignature(token.signature, for: token.signingInput.utf8) { return .verified }
        }
        for key in jwksKeys where key.algorithm == algorithm {
            candidates += 1
            if key.isValidSignature(token.signature, for: token.signingInput.utf8) { return .verified }
        }
        return .rejected(candidates == 0 ? rejections.unknownKey : rejections.signature)
    }

    /// The signature is good: the claims decide.
    private func accept(_ token: JWTToken, _ context: inout RequestContext) -> PolicyDecision {
        let now = self.now()
        let claims = token.claims
        if let expiry = claims.exp {
            if now > expiry + leewaySeconds { return rejections.expired.decision(context) }
        } else if requireExpiry {
            return rejections.noExpiry.decision(context)
        }
        if let notBefore = claims.nbf, now + leewaySeconds < notBefore {
            return rejections.notYetValid.decision(context)
        }
        if let issuers {
            guard let issuer = claims.iss, issuers.contains(issuer) else {
                return rejections.issuer.decision(context)
            }
        }
        if let audiences {
            guard claims.aud.contains(where: audiences.contains) else {
                return rejections.audience.decision(context)
            }
        }
        context.consumer = claims.consumer
        return .proceed
    }

    private static func inlineKey(_ item: PolicyOptions) throws -> JWTVerificationKey {
        try item.allowOnly(["kid", "alg", "secret", "pem", "jwk"])
        do {
            if let jwk = try item.nested("jwk") {
                try jwk.allowOnly(["kty", "kid", "alg", "use", "crv", "x", "y", "n", "e", "k"])
                let key = JSONWebKey(
                    kty: try jwk.string("kty"), kid: try jwk.string("kid") ?? item.string("kid"),
                    alg: try jwk.string("alg") ?? item.string("alg"), use: try jwk.string("use"),
                    crv: try jwk.string("crv"), x: try jwk.string("x"), y: try jwk.string("y"),
                    n: try jwk.string("n"), e: try jwk.string("e"), k: try jwk.string("k")
                )
                return try key.verificationKey()
            }
            let kid = try item.string("kid")
            let algorithmName = try item.requiredString("alg")
            guard let algorithm = JWTSignatureAlgorithm(rawValue: algorithmName) else {
                throw item.error(item.value("alg"), "\(item.path).alg: unsupported '\(algorithmName)' (supported: HS256, RS256, ES256, EdDSA)")
            }
            if let secret = try item.string("secret") {
                guard algorithm == .hs256 else {
                    throw item.error(item.value("secret"), "\(item.path): a 'secret' is for HS256 only")
                }
                return try JWTVerificationKey.secret(secret, kid: kid)
            }
            if let pem = try item.string("pem") {
                return try JWTVerificationKey.pem(pem, algorithm: algorithm, kid: kid)
            }
            throw item.error(nil, "\(item.path): give 'secret' (HS256), 'pem' or 'jwk'")
        } catch let error as JWTVerificationKey.KeyError {
            throw item.error(nil, "\(item.path): \(error)")
        } catch let error as PolicyError {
            throw error
        } catch {
            throw item.error(nil, "\(item.path): invalid key (\(error))")
        }
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    struct Rejections: Sendable {
        let missing, malformed, algorithm, unknownKey, signature: PolicyRejection
        let expired, noExpiry, notYetValid, issuer, audience: PolicyRejection

        init(policy: String, logger: Logger) {
            func reject(_ reason: String, _ message: String, challenge: String) -> PolicyRejection {
                PolicyRejection(
                    policy: policy, reason: reason, status: .unauthorized, message: message,
                    headers: [("WWW-Authenticate", challenge)], logger: logger
                )
            }
            func invalid(_ reason: String, _ message: String) -> PolicyRejection {
                reject(reason, message, challenge: #"Bearer realm="meshgate", error="invalid_token", error_description="\#(message)""#)
            }
            missing = reject("unauthorized", "missing bearer token", challenge: #"Bearer realm="meshgate""#)
            malformed = invalid("malformed_token", "malformed token")
            algorithm = invalid("algorithm_not_allowed", "token algorithm not allowed")
            unknownKey = invalid("unknown_key", "no key known for this token")
            signature = invalid("bad_signature", "signature verification failed")
            expired = invalid("token_expired", "token expired")
            noExpiry = invalid("no_expiry", "token has no exp claim")
            notYetValid = invalid("token_not_yet_valid", "token not valid yet")
            issuer = invalid("wrong_issuer", "token issuer not accepted")
            audience = invalid("wrong_audience", "token audience not accepted")
        }
    }
}
