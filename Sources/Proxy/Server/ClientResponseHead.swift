import NIOCore
import NIOHTTP1

/// The client's copy of an upstream response head, written straight from the upstream's
/// bytes when no policy edits it: hop-by-hop fields (and those its `Connection` fields
/// name) and `X-Request-Id` dropped, `Via` extended, the gateway's own connection and
/// framing fields added. What ``ForwardingHeaders/clientHead`` and
/// ``ProxyHandler/prepareResponseHead(_:_:)`` do with `HTTPHeaders`, without them.
struct ClientResponseHead {
    var version: HTTPVersion
    var requestID: String
    /// The gateway's `Via` entry.
    var via: String
    /// `Connection` field to add, if any.
    var connection: StaticString?
    var chunked: Bool
    /// The upstream's `Content-Length` does not frame what the client gets.
    var dropsLength: Bool

    func write(_ upstream: ResponseHead, options: ConnectionOptions, into buffer: inout ByteBuffer) {
        let reason = upstream.status.reasonPhrase
        upstream.fields.bytes.withUnsafeReadableBytes { all in
            func bytes(_ start: Int32, _ end: Int32) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: all[Int(start)..<Int(end)])
            }
            let spans = upstream.fields.spans
            var size = 15 + reason.utf8.count + 2
            var upstreamVia: [FieldBlock.Span] = []
            for span in spans {
                let name = bytes(span.nameStart, span.nameEnd)
                if ForwardingHeaders.classify(name) == .via { upstreamVia.append(span) }
                if keeps(name, options) { size += Int(span.nameEnd - span.nameStart) + Int(span.valueEnd - span.valueStart) + 4 }
            }
            size += upstreamVia.reduce(0) { $0 + Int($1.valueEnd - $1.valueStart) + 2 } + 7 + via.utf8.count
            size += 16 + requestID.utf8.count
            if let connection { size += 14 + connection.utf8CodeUnitCount }
            if chunked { size += 28 }
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var at = 0
                HeadWriter.copyStatusLine(version, upstream.status, reason: reason, to: out, at: &at)
                for span in spans where keeps(bytes(span.nameStart, span.nameEnd), options) {
                    HeadWriter.copyField(bytes(span.nameStart, span.nameEnd), bytes(span.valueStart, span.valueEnd), to: out, at: &at)
                }
                HeadWriter.copy("via: ", to: out, at: &at)
                for span in upstreamVia {
                    HeadWriter.copy(bytes(span.valueStart, span.valueEnd), to: out, at: &at)
                    HeadWriter.copy(", ", to: out, at: &at)
                }
                HeadWriter.copy(via, to: out, at: &at)
                HeadWriter.copy("\r\n", to: out, at: &at)
                HeadWriter.copyField("x-request-id", requestID, to: out, at: &at)
                if let connection {
                    HeadWriter.copy("connection: ", to: out, at: &at)
                    HeadWriter.copy(connection, to: out, at: &at)
                    HeadWriter.copy("\r\n", to: out, at: &at)
                }
                if chunked { HeadWriter.copy("transfer-encoding: chunked\r\n", to: out, at: &at) }
                HeadWriter.copy("\r\n", to: out, at: &at)
                return at
            }
        }
    }

    /// Whether an upstream field goes to the client as it came (`Via` is extended instead).
    private func keeps(_ name: UnsafeRawBufferPointer, _ options: ConnectionOptions) -> Bool {
        switch ForwardingHeaders.classify(name) {
        case .requestID, .via: false
        case .contentLength: !dropsLength
        default: !ForwardingHeaders.isHopByHop(name, options)
        }
    }
}
