import NIOHTTP1

/// How the client framed the request body, once the head passed validation.
enum RequestFraming: Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// Why a request head is refused, and the status it is answered with before the connection closes.
struct RequestRejection: Error, Equatable {
    let status: HTTPResponseStatus
    let reason: String
}

/// Strict checks of a request head (RFC 9112) whose request line and field lines
/// ``RequestReader`` has already held to the grammar: method, target, framing and Host.
/// Anything ambiguous is refused rather than forwarded.
enum RequestValidator {
    static func validate(method: HTTPMethod, target: String, version: HTTPVersion, fields: FieldSection)
        -> Result<RequestFraming, RequestRejection>
    {
        if case .CONNECT = method {
            return .failure(.init(status: .methodNotAllowed, reason: "CONNECT is not supported"))
        }
        if let rejection = checkTarget(target, method: method) { return .failure(rejection) }
        guard fields.contentLengthIsValid else { return .failure(.init(status: .badRequest, reason: "invalid Content-Length")) }
        guard fields.codingIsChunked else {
            return .failure(.init(status: .badRequest, reason: "unsupported Transfer-Encoding"))
        }
        if fields.contentLengths > 1 { return .failure(.init(status: .badRequest, reason: "duplicate Content-Length")) }
        if fields.transferEncodings > 1 { return .failure(.init(status: .badRequest, reason: "duplicate Transfer-Encoding")) }
        let chunked = fields.transferEncodings == 1
        if chunked && fields.contentLengths > 0 {
            return .failure(.init(status: .badRequest, reason: "both Content-Length and Transfer-Encoding"))
        }
        if chunked && version.minor == 0 {
            return .failure(.init(status: .badRequest, reason: "Transfer-Encoding in HTTP/1.0"))
        }
        if fields.hosts > 1 { return .failure(.init(status: .badRequest, reason: "duplicate Host")) }
        if fields.hosts == 0 && version.minor == 1 { return .failure(.init(status: .badRequest, reason: "missing Host")) }
        if fields.hosts == 1 && !fields.hostIsValid { return .failure(.init(status: .badRequest, reason: "invalid Host")) }
        if chunked { return .success(.chunked) }
        if let length = fields.contentLength { return .success(.contentLength(length)) }
        return .success(.none)
    }

    private static func checkTarget(_ uri: String, method: HTTPMethod) -> RequestRejection? {
        let bytes = uri.utf8
        guard let first = bytes.first else { return .init(status: .badRequest, reason: "empty request target") }
        if first == UInt8(ascii: "*") {
            guard uri == "*", case .OPTIONS = method else { return .init(status: .badRequest, reason: "invalid request target") }
            return nil
        }
        guard bytes.allSatisfy(HTTPSyntax.isTargetByte) else {
            return .init(status: .badRequest, reason: "invalid byte in request target")
        }
        if first == UInt8(ascii: "/") { return nil }
        let lower = uri.lowercased()
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let rest = uri.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            guard !authority.isEmpty, !authority.contains("@"), HTTPSyntax.isValidHost(authority.utf8) else {
                return .init(status: .badRequest, reason: "invalid authority in request target")
            }
            return nil
        }
        return .init(status: .badRequest, reason: "invalid request target")
    }

    /// The origin-form path and query of a target (absolute-form is reduced to it).
    static func originForm(_ uri: String) -> Substring {
        guard uri.utf8.first != UInt8(ascii: "/") else { return Substring(uri) }
        guard let schemeEnd = uri.range(of: "://") else { return Substring(uri) }
        let rest = uri[schemeEnd.upperBound...]
        guard let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        return rest[pathStart] == "?" ? Substring("/" + rest[pathStart...]) : rest[pathStart...]
    }
}
