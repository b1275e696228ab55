import NIOCore
import NIOHTTP1

/// The head the gateway sends upstream and the head it returns to the client: hop-by-hop
/// fields (and those the `Connection` field names) dropped, framing set by the gateway,
/// forwarding fields added.
enum ForwardingHeaders {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// Lower-cased names a message's `Connection` fields list.
    static func connectionTokens(_ headers: HTTPHeaders) -> [String] {
        var tokens: [String] = []
        for value in headers[canonicalForm: "connection"] {
            let token = value.trimmingSpaces().lowercased()
            if token != "close" && token != "keep-alive" && !token.isEmpty { tokens.append(token) }
        }
        return tokens
    }

    static func isHopByHop(_ lowerName: String, tokens: [String]) -> Bool {
        hopByHop.contains(lowerName) || (!tokens.isEmpty && tokens.contains(lowerName))
    }

    struct Forwarding {
        var clientIP: String?
        var proto: String
        var requestID: String
        var via: String
    }

    static func upstreamHead(
        from head: HTTPRequestHead, uri: String, framing: RequestFraming, forwarding: Forwarding
    ) -> HTTPRequestHead {
        let tokens = connectionTokens(head.headers)
        var headers = HTTPHeaders()
        headers.reserveCapacity(head.headers.count + 6)
        var forwardedFor: String?
        var host: String?
        var via: String?
        for (name, value) in head.headers {
            let lower = name.lowercased()
            switch lower {
            case "content-length", "expect", "x-forwarded-proto", "x-forwarded-host", "x-request-id":
                continue
            case "x-forwarded-for":
                forwardedFor = forwardedFor.map { $0 + ", " + value } ?? value
                continue
            case "via":
                via = via.map { $0 + ", " + value } ?? value
                continue
            case "host":
                host = value
            default:
                if isHopByHop(lower, tokens: tokens) { continue }
            }
            headers.add(name: name, value: value)
        }
        switch framing {
        case .contentLength(let length): headers.add(name: "content-length", value: String(length))
        case .chunked: headers.add(name: "transfer-encoding", value: "chunked")
        case .none:
            switch head.method {
            case .GET, .HEAD, .DELETE, .OPTIONS, .TRACE: break
            default: headers.add(name: "content-length", value: "0")
            }
        }
        if let ip = forwarding.clientIP {
            headers.add(name: "x-forwarded-for", value: forwardedFor.map { $0 + ", " + ip } ?? ip)
        } else if let forwardedFor {
            headers.add(name: "x-forwarded-for", value: forwardedFor)
        }
        headers.add(name: "x-forwarded-proto", value: forwarding.proto)
        if let host { headers.add(name: "x-forwarded-host", value: host) }
        headers.add(name: "via", value: via.map { $0 + ", " + forwarding.via } ?? forwarding.via)
        headers.add(name: "x-request-id", value: forwarding.requestID)
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: uri, headers: headers)
    }

    /// The client's copy of an upstream response head, without hop-by-hop fields.
    static func clientHead(from upstream: HTTPResponseHead, version: HTTPVersion, requestID: String, via: String)
        -> (head: HTTPResponseHead, hasLength: Bool)
    {
        let tokens = connectionTokens(upstream.headers)
        var headers = HTTPHeaders()
        headers.reserveCapacity(upstream.headers.count + 2)
        var hasLength = false
        var upstreamVia: String?
        for (name, value) in upstream.headers {
            let lower = name.lowercased()
            if lower == "content-length" { hasLength = true }
            if lower == "x-request-id" { continue }
            if lower == "via" {
                upstreamVia = upstreamVia.map { $0 + ", " + value } ?? value
                continue
            }
            if isHopByHop(lower, tokens: tokens) { continue }
            headers.add(name: name, value: value)
        }
        headers.add(name: "via", value: upstreamVia.map { $0 + ", " + via } ?? via)
        headers.add(name: "x-request-id", value: requestID)
        return (HTTPResponseHead(version: version, status: upstream.status, headers: headers), hasLength)
    }

    static func apply(_ edits: [HeaderEdit], to headers: inout HTTPHeaders) {
        for edit in edits {
            switch edit {
            case .add(let name, let value): headers.add(name: name, value: value)
            case .set(let name, let value): headers.replaceOrAdd(name: name, value: value)
            case .remove(let name): headers.remove(name: name)
            case .rename(let from, let to):
                let values = headers[from]
                headers.remove(name: from)
                for value in values { headers.add(name: to, value: value) }
            }
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}

extension String {
    func trimmingSpaces() -> Substring { Substring(self).trimmingSpaces() }
}
