import Logging
import ManagerCore
import NIOCore

/// What a policy may need when it is built from a config: an event loop group for
/// background work (JWKS refresh) and a logger.
public struct PolicyBuildContext: Sendable {
    public let group: any EventLoopGroup
    public let logger: Logger

    public init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
    }
}

/// Builds the policy a validated config entry names. Validation refused everything a
/// policy could not be built from, so building fails only on what no manifest can know
/// (a JWKS cache that cannot start).
public enum PolicyFactory {
    public static func make(_ config: PolicyConfig, context: PolicyBuildContext) throws -> any RequestPolicy {
        switch config {
        case .apiKey(let c): return ApiKeyAuth(c, logger: context.logger)
        case .jwt(let c): return try JWTAuth(c, context: context)
        case .rateLimit(let c): return RateLimit(c, logger: context.logger)
        case .headers(let c): return HeaderTransform(c)
        case .cors(let c): return CORS(c, logger: context.logger)
        case .requestSizeLimit(let c): return RequestSizeLimit(c, logger: context.logger)
        }
    }
}
