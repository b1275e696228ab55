import NIOCore
import NIOHTTP1

/// The head the gateway sends upstream, written straight from the client's field lines (or,
/// after policies, from the fields they left). Hop-by-hop fields (and those the
/// `Connection` fields name), `Expect` and the client's own framing and forwarding fields
/// are dropped; the framing the gateway chose and the forwarding fields are added.
struct UpstreamRequestHead {
    var uri: String
    var framing: RequestFraming
    var forwarding: ForwardingHeaders.Forwarding
    /// `Host` when the client named none (HTTP/1.0): the target's authority.
    var defaultHost: String

    func write(_ request: RequestHead, options: ConnectionOptions, into buffer: inout ByteBuffer) {
        let method = request.method.rawValue
        let absolute = ForwardingHeaders.absoluteAuthority(request.target)
        request.fields.bytes.withUnsafeReadableBytes { all in
            let spans = request.fields.spans
            func bytes(_ start: Int32, _ end: Int32) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: all[Int(start)..<Int(end)])
            }
            var size = method.utf8.count + uri.utf8.count + 13
            var forwardedFor: [FieldBlock.Span] = []
            var via: [FieldBlock.Span] = []
            var host: FieldBlock.Span?
            for span in spans {
                let name = bytes(span.nameStart, span.nameEnd)
                switch ForwardingHeaders.classify(name) {
                case .forwardedFor: forwardedFor.append(span)
                case .via: via.append(span)
                case .host where absolute == nil:
                    host = span
                    size += Self.lineSize(span)
                case .other where !ForwardingHeaders.isHopByHop(name, options):
                    size += Self.lineSize(span)
                default: break
                }
            }
            let hostValue: UnsafeRawBufferPointer? = host.map { bytes($0.valueStart, $0.valueEnd) }
            let lengthValue: String?
            switch framing {
            case .contentLength(let length): lengthValue = String(length)
            case .chunked: lengthValue = nil
            case .none:
                switch request.method {
                case .GET, .HEAD, .DELETE, .OPTIONS, .TRACE: lengthValue = nil
                default: lengthValue = "0"
                }
            }
            if let absolute { size += 8 + absolute.utf8.count }
            if let lengthValue { size += 18 + lengthValue.utf8.count }
            if framing == .chunked { size += 28 }
            size += 19 + forwardedFor.reduce(0) { $0 + Int($1.valueEnd - $1.valueStart) + 2 } + (forwarding.clientIP?.utf8.count ?? 0)
            size += 21 + forwarding.proto.utf8.count
            size += 20 + max(absolute?.utf8.count ?? 0, hostValue?.count ?? 0)
            size += 7 + via.reduce(0) { $0 + Int($1.valueEnd - $1.valueStart) + 2 } + forwarding.via.utf8.count
            size += 16 + forwarding.requestID.utf8.count
            size += 8 + defaultHost.utf8.count + 2
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var at = 0
                HeadWriter.copy(method, to: out, at: &at)
                HeadWriter.copy(" ", to: out, at: &at)
                HeadWriter.copy(uri, to: out, at: &at)
                HeadWriter.copy(" HTTP/1.1\r\n", to: out, at: &at)
                if let absolute { HeadWriter.copyField("host", String(absolute), to: out, at: &at) }
                for span in spans {
                    let name = bytes(span.nameStart, span.nameEnd)
                    switch ForwardingHeaders.classify(name) {
                    case .host where absolute == nil: break
                    case .other where !ForwardingHeaders.isHopByHop(name, options): break
                    default: continue
                    }
                    HeadWriter.copyField(name, bytes(span.valueStart, span.valueEnd), to: out, at: &at)
                }
                if let lengthValue {
                    HeadWriter.copyField("content-length", lengthValue, to: out, at: &at)
                } else if framing == .chunked {
                    HeadWriter.copy("transfer-encoding: chunked\r\n", to: out, at: &at)
                }
                if !forwardedFor.isEmpty || forwarding.clientIP != nil {
                    HeadWriter.copy("x-forwarded-for: ", to: out, at: &at)
                    for (index, span) in forwardedFor.enumerated() {
                        if index > 0 { HeadWriter.copy(", ", to: out, at: &at) }
                        HeadWriter.copy(bytes(span.valueStart, span.valueEnd), to: out, at: &at)
                    }
                    if let ip = forwarding.clientIP {
                        if !forwardedFor.isEmpty { HeadWriter.copy(", ", to: out, at: &at) }
                        HeadWriter.copy(ip, to: out, at: &at)
                    }
                    HeadWriter.copy("\r\n", to: out, at: &at)
                }
                HeadWriter.copyField("x-forwarded-proto", forwarding.proto, to: out, at: &at)
                if let absolute {
                    HeadWriter.copyField("x-forwarded-host", String(absolute), to: out, at: &at)
                } else if let hostValue {
                    HeadWriter.copy("x-forwarded-host: ", to: out, at: &at)
                    HeadWriter.copy(hostValue, to: out, at: &at)
                    HeadWriter.copy("\r\n", to: out, at: &at)
                }
                HeadWriter.copy("via: ", to: out, at: &at)
                for span in via {
                    HeadWriter.copy(bytes(span.valueStart, span.valueEnd), to: out, at: &at)
                    HeadWriter.copy(", ", to: out, at: &at)
                }
                HeadWriter.copy(forwarding.via, to: out, at: &at)
                HeadWriter.copy("\r\n", to: out, at: &at)
                HeadWriter.copyField("x-request-id", forwarding.requestID, to: out, at: &at)
                if absolute == nil && host == nil {
                    // An HTTP/1.0 client may send no Host; HTTP/1.1 to the upstream needs one.
                    HeadWriter.copyField("host", defaultHost, to: out, at: &at)
                }
                HeadWriter.copy("\r\n", to: out, at: &at)
                return at
            }
        }
    }

    /// `name: value CRLF`.
    private static func lineSize(_ span: FieldBlock.Span) -> Int {
        Int(span.nameEnd - span.nameStart) + Int(span.valueEnd - span.valueStart) + 4
    }
}
