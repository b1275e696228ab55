import Foundation
import ManagerCore
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
        _ config: JWTPolicyConfig,
        context: PolicyBuildContext,
        now: @escaping WallClock = { Date().timeIntervalSince1970 }
    ) throws {
        algorithms = Set(config.algorithms)
        inlineKeys = try config.keys.map(JWTKeys.verificationKey)
        jwks = try config.jwks.map { source in
            let settings = JWKSCache.Settings(
                url: source.url, refresh: TimeAmount(source.refresh), minRefetch: TimeAmount(source.minRefetch),
                timeout: TimeAmount(source.timeout))
            return try JWKSCache.shared(settings, group: context.group, logger: context.logger)
        }
        issuers = config.issuers
        audiences = config.audiences
        leeway = config.leeway
        requireExpiry = config.requireExpiry
        consumerClaim = config.consumerClaim
        leewaySeconds = config.leeway.seconds
        self.now = now
        rejections = Rejections(policy: "jwt", logger: context.logger)
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
