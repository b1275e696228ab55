import Logging
import NIOCore

/// What a policy may need when it is built from a manifest: an event loop group for
/// background work (JWKS refresh) and a logger.
public struct PolicyBuildContext: Sendable {
    public let group: any EventLoopGroup
    public let logger: Logger

    public init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
    }
}

public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let message: String

    public init(_ spec: PolicySpec, _ message: String) {
        self.file = spec.file
        self.line = spec.line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Builds the policy a manifest entry names. Unknown types are refused, so a typo
/// never silently turns authentication off.
public enum PolicyFactory {
    public static func make(_ spec: PolicySpec, context: PolicyBuildContext) throws -> any RequestPolicy {
        switch spec.type {
        case "api_key": return try ApiKeyAuth(spec, logger: context.logger)
        case "jwt": return try JWTAuth(spec, context: context)
        case "rate_limit": return try RateLimit(spec, logger: context.logger)
        case "headers": return try HeaderTransform(spec)
        case "cors": return try CORS(spec, logger: context.logger)
        case "request_size_limit": return try RequestSizeLimit(spec, logger: context.logger)
        default:
            throw PolicyError(spec, "unknown policy type '\(spec.type)'")
        }
    }
}
