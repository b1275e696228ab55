/// One entry of a route's `policies:` list, with its options checked and typed.
public enum PolicyConfig: Sendable, Equatable, Codable {
    case apiKey(ApiKeyPolicyConfig)
    case jwt(JWTPolicyConfig)
    case rateLimit(RateLimitPolicyConfig)
    case headers(HeadersPolicyConfig)
    case cors(CORSPolicyConfig)
    case requestSizeLimit(RequestSizeLimitPolicyConfig)

    /// The `type:` the manifest names it by.
    public var type: String {
        switch self {
        case .apiKey: return "api_key"
        case .jwt: return "jwt"
        case .rateLimit: return "rate_limit"
        case .headers: return "headers"
        case .cors: return "cors"
        case .requestSizeLimit: return "request_size_limit"
        }
    }
}

/// `type: api_key`: keys presented in a header, listed by their SHA-256 only.
public struct ApiKeyPolicyConfig: Sendable, Equatable, Codable {
    public init(header: String, keys: [Key], strip: Bool) {
        self.header = header
        self.keys = keys
        self.strip = strip
    }

    public struct Key: Sendable, Equatable, Codable {
        public init(consumer: String, sha256: String) {
            self.consumer = consumer
            self.sha256 = sha256
        }

        public var consumer: String
        /// 64 lower-case hex digits.
        public var sha256: String
    }

    public static let defaultHeader = "X-API-Key"

    public var header: String
    public var keys: [Key]
    /// Remove the key from the request before it goes upstream.
    public var strip: Bool
}

public enum JWTSignatureAlgorithm: String, Sendable, CaseIterable, Codable, Comparable {
    case hs256 = "HS256"
    case rs256 = "RS256"
    case es256 = "ES256"
    case eddsa = "EdDSA"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// `type: jwt`: bearer tokens signed by inline keys or keys published at a JWKS URL.
public struct JWTPolicyConfig: Sendable, Equatable, Codable {
    public init(algorithms: [JWTSignatureAlgorithm], keys: [InlineKey], jwks: JWKSSource?, issuers: [String]?,
                audiences: [String]?, leeway: Duration, requireExpiry: Bool, consumerClaim: String) {
        self.algorithms = algorithms
        self.keys = keys
        self.jwks = jwks
        self.issuers = issuers
        self.audiences = audiences
        self.leeway = leeway
        self.requireExpiry = requireExpiry
        self.consumerClaim = consumerClaim
    }

    public enum KeyMaterial: Sendable, Equatable, Codable {
        case secret(String)
        case pem(String)
        case jwk(JSONWebKey)
    }

    public struct InlineKey: Sendable, Equatable, Codable {
        public init(kid: String?, algorithm: JWTSignatureAlgorithm?, material: KeyMaterial) {
            self.kid = kid
            self.algorithm = algorithm
            self.material = material
        }

        public var kid: String?
        /// Nil only for a JWK, whose key type decides.
        public var algorithm: JWTSignatureAlgorithm?
        public var material: KeyMaterial
    }

    public struct JWKSSource: Sendable, Equatable, Codable {
        public init(url: String, refresh: Duration, minRefetch: Duration, timeout: Duration) {
            self.url = url
            self.refresh = refresh
            self.minRefetch = minRefetch
            self.timeout = timeout
        }

        public var url: String
        public var refresh: Duration
        public var minRefetch: Duration
        public var timeout: Duration
    }

    /// Sorted, so the order written does not change the content.
    public var algorithms: [JWTSignatureAlgorithm]
    public var keys: [InlineKey]
    public var jwks: JWKSSource?
    public var issuers: [String]?
    public var audiences: [String]?
    public var leeway: Duration
    public var requireExpiry: Bool
    public var consumerClaim: String
}

/// `type: rate_limit`: a token bucket per route and subject.
public struct RateLimitPolicyConfig: Sendable, Equatable, Codable {
    public init(requests: Int, per: Duration, burst: Int, key: Subject) {
        self.requests = requests
        self.per = per
        self.burst = burst
        self.key = key
    }

    public enum Subject: String, Sendable, Codable {
        case consumer
        case clientAddress = "client_address"
        case route
    }

    public var requests: Int
    public var per: Duration
    public var burst: Int
    public var key: Subject
}

/// A change to a request's or response's header fields.
public enum HeaderEdit: Sendable, Equatable, Codable {
    case add(name: String, value: String)
    case set(name: String, value: String)
    case remove(name: String)
    case rename(from: String, to: String)
}

/// `type: headers`: edits applied as `remove`, `rename`, `set`, `add`, each in the order written.
public struct HeadersPolicyConfig: Sendable, Equatable, Codable {
    public init(request: [HeaderEdit], response: [HeaderEdit]) {
        self.request = request
        self.response = response
    }

    public var request: [HeaderEdit]
    public var response: [HeaderEdit]
}

/// `type: cors`.
public struct CORSPolicyConfig: Sendable, Equatable, Codable {
    public init(allowOrigins: [String], allowMethods: [String], allowHeaders: [String]?, exposeHeaders: [String],
                allowCredentials: Bool, maxAge: Duration?) {
        self.allowOrigins = allowOrigins
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.exposeHeaders = exposeHeaders
        self.allowCredentials = allowCredentials
        self.maxAge = maxAge
    }

    /// `["*"]`, or lower-cased `scheme://host[:port]` origins.
    public var allowOrigins: [String]
    /// Upper-cased, in the order written.
    public var allowMethods: [String]
    /// Nil allows whatever a preflight asks for (`*`).
    public var allowHeaders: [String]?
    public var exposeHeaders: [String]
    public var allowCredentials: Bool
    public var maxAge: Duration?
}

/// `type: request_size_limit`.
public struct RequestSizeLimitPolicyConfig: Sendable, Equatable, Codable {
    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    public var maxBytes: Int
}
