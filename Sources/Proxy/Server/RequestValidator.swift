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
/// ``RequestReader`` has already held to the grammar: version, method, target, framing
/// and Host. Anything ambiguous is refused rather than forwarded.
enum RequestValidator {
    static func validate(_ head: HTTPRequestHead) -> Result<RequestFraming, RequestRejection> {
        guard head.version.major == 1 else {
            return .failure(.init(status: .httpVersionNotSupported, reason: "unsupported HTTP version"))
        }
        guard head.version.minor <= 1 else {
            return .failure(.init(status: .httpVersionNotSupported, reason: "unsupported HTTP version"))
        }
        if case .CONNECT = head.method {
            return .failure(.init(status: .methodNotAllowed, reason: "CONNECT is not supported"))
        }
        if let rejection = checkTarget(head.uri, method: head.method) { return .failure(rejection) }

        var contentLengths = 0, transferEncodings = 0, hosts = 0
        var contentLength = 0, chunked = false, hostValue = ""
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 4 where name.equalsIgnoringASCIICase("host"):
                hosts += 1
                hostValue = value
            case 14 where name.equalsIgnoringASCIICase("content-length"):
                contentLengths += 1
                guard let length = HTTPSyntax.contentLength(value.utf8) else {
                    return .failure(.init(status: .badRequest, reason: "invalid Content-Length"))
                }
                contentLength = length
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
                transferEncodings += 1
                guard value.equalsIgnoringASCIICase("chunked") else {
                    return .failure(.init(status: .badRequest, reason: "unsupported Transfer-Encoding"))
                }
                chunked = true
            default:
                break
            }
        }
        if contentLengths > 1 { return .failure(.init(status: .badRequest, reason: "duplicate Content-Length")) }
        if transferEncodings > 1 { return .failure(.init(status: .badRequest, reason: "duplicate Transfer-Encoding")) }
        if chunked && contentLengths > 0 {
            return .failure(.init(status: .badRequest, reason: "both Content-Length and Transfer-Encoding"))
        }
        if chunked && head.version.minor == 0 {
            return .failure(.init(status: .badRequest, reason: "Transfer-Encoding in HTTP/1.0"))
        }
        if hosts > 1 { return .failure(.init(status: .badRequest, reason: "duplicate Host")) }
        if hosts == 0 && head.version.minor == 1 { return .failure(.init(status: .badRequest, reason: "missing Host")) }
        if hosts == 1 && !HTTPSyntax.isValidHost(hostValue) {
            return .failure(.init(status: .badRequest, reason: "invalid Host"))
        }
        if chunked { return .success(.chunked) }
        if contentLengths == 1 && contentLength > 0 { return .success(.contentLength(contentLength)) }
        return .success(contentLengths == 1 ? .contentLength(0) : .none)
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
            guard !authority.isEmpty, !authority.contains("@"), HTTPSyntax.isValidHost(String(authority)) else {
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
