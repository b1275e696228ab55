import Logging
import ManagerCore
import NIOCore
import NIOHTTP1

/// `type: cors`. A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
/// is answered at the gateway and never reaches the upstream: 204 with the allowed
/// methods, headers and max age when origin, method and headers are allowed, 403
/// otherwise. Other requests from an allowed origin get `Access-Control-Allow-Origin`
/// (and credentials, exposed headers) on the response; every response of the route
/// gets `Vary: Origin` so caches keep answers for different origins apart.
public struct CORS: RequestPolicy {
    public enum Origins: Sendable, Equatable {
        case any
        case exact(Set<String>)
    }

    public let origins: Origins
    public let methods: Set<String>
    /// Lower-cased; nil allows whatever the preflight asks for.
    public let headers: Set<String>?
    public let exposeHeaders: [String]
    public let allowCredentials: Bool
    public let maxAge: Duration?
    private let allowMethodsValue: String
    private let allowHeadersValue: String?
    private let maxAgeValue: String?
    private let exposeHeadersValue: String
    private let refused: PolicyRejection

    public init(_ config: CORSPolicyConfig, logger: Logger) {
        origins = config.allowOrigins == ["*"] ? .any : .exact(Set(config.allowOrigins))
        let methodList = config.allowMethods
        methods = Set(methodList)
        let headerList: [String]? = config.allowHeaders
        headers = headerList.map { Set($0.map { $0.lowercased() }) }
        exposeHeaders = config.exposeHeaders
        allowCredentials = config.allowCredentials
        maxAge = config.maxAge
        allowMethodsValue = methodList.joined(separator: ", ")
        allowHeadersValue = headerList.map { $0.joined(separator: ", ") }
        maxAgeValue = maxAge.map { String($0.components.seconds) }
        exposeHeadersValue = exposeHeaders.joined(separator: ", ")
        refused = PolicyRejection(
            policy: "cors", reason: "cors_preflight_refused", status: .forbidden,
            message: "CORS preflight refused: origin, method or headers not allowed",
            headers: [("Vary", "Origin")], logger: logger
        )
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        guard let origin = context.head.headers.first(name: "Origin") else {
            context.responseHeaderEdits.append(.add(name: "Vary", value: "Origin"))
            return .proceed
        }
        let allowed = isAllowed(origin)
        if context.head.method == .OPTIONS,
            let requestedMethod = context.head.headers.first(name: "Access-Control-Request-Method")
        {
            return preflight(context, origin: origin, originAllowed: allowed, requestedMethod: requestedMethod)
        }
        context.responseHeaderEdits.append(.add(name: "Vary", value: "Origin"))
        guard allowed else { return .proceed }
        context.responseHeaderEdits.append(.set(name: "Access-Control-Allow-Origin", value: allowOriginValue(origin)))
        if allowCredentials {
            context.responseHeaderEdits.append(.set(name: "Access-Control-Allow-Credentials", value: "true"))
        }
        if !exposeHeadersValue.isEmpty {
            context.responseHeaderEdits.append(.set(name: "Access-Control-Expose-Headers", value: exposeHeadersValue))
        }
        return .proceed
    }

    private func preflight(
        _ context: RequestContext, origin: String, originAllowed: Bool, requestedMethod: String
    ) -> PolicyDecision {
        let requestedHeaders = context.head.headers[canonicalForm: "Access-Control-Request-Headers"]
        let headersAllowed =
            headers.map { allowed in requestedHeaders.allSatisfy { allowed.contains($0.lowercased()) } } ?? true
        guard originAllowed, methods.contains(requestedMethod.uppercased()), headersAllowed else {
            return refused.decision(context)
        }
        var response = HTTPHeaders()
        response.add(name: "Access-Control-Allow-Origin", value: allowOriginValue(origin))
        response.add(name: "Access-Control-Allow-Methods", value: allowMethodsValue)
        if let allowHeadersValue {
            if !allowHeadersValue.isEmpty {
                response.add(name: "Access-Control-Allow-Headers", value: allowHeadersValue)
            }
        } else if !requestedHeaders.isEmpty {
            response.add(name: "Access-Control-Allow-Headers", value: requestedHeaders.joined(separator: ", "))
        }
        if allowCredentials {
            response.add(name: "Access-Control-Allow-Credentials", value: "true")
        }
        if let maxAgeValue {
            response.add(name: "Access-Control-Max-Age", value: maxAgeValue)
        }
        response.add(name: "Vary", value: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        return .respond(GatewayResponse(status: .noContent, headers: response))
    }

    private func isAllowed(_ origin: String) -> Bool {
        switch origins {
        case .any: true
        case .exact(let list): list.contains(origin.lowercased())
        }
    }

    /// `*` only when any origin is allowed without credentials; browsers refuse `*`
    /// with credentials, so then the request's own origin is echoed.
    private func allowOriginValue(_ origin: String) -> String {
        origins == .any && !allowCredentials ? "*" : origin
    }
}
