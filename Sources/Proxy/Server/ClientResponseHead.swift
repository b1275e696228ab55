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
            // The upstream's whole head bounds what is kept of its field lines, and of its
            // `Via` values with the separators they get here.
            var size = 15 + reason.utf8.count + 2 + all.count
            size += 7 + via.utf8.count
            size += 16 + requestID.utf8.count
            if let connection { size += 14 + connection.utf8CodeUnitCount }
            if chunked { size += 28 }
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var at = 0
                HeadWriter.copyStatusLine(version, upstream.status, reason: reason, to: out, at: &at)
                var upstreamVia: [FieldBlock.Span] = []
                for span in upstream.fields.spans {
                    let name = bytes(span.nameStart, span.nameEnd)
                    switch ForwardingHeaders.classify(name) {
                    case .via:
                        upstreamVia.append(span)
                        continue
                    case .requestID: continue
                    case .contentLength: if dropsLength { continue }
                    default: if ForwardingHeaders.isHopByHop(name, options) { continue }
                    }
                    HeadWriter.copyField(name, bytes(span.valueStart, span.valueEnd), to: out, at: &at)
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
}
