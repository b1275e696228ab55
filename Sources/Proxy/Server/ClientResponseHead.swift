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
            let spans = upstream.fields.spans
            var size = 15 + reason.utf8.count + 2
            var upstreamVia: [Range<Int>] = []
            // Which fields go to the client, judged once: a bit per field for the first 64, a list beyond.
            var kept: UInt64 = 0
            var keptBeyond: [Bool] = []
            for (index, span) in spans.enumerated() {
                let name = UnsafeRawBufferPointer(rebasing: all[Int(span.nameStart)..<Int(span.nameEnd)])
                let keep: Bool
                switch ForwardingHeaders.classify(name) {
                case .via:
                    upstreamVia.append(Int(span.valueStart)..<Int(span.valueEnd))
                    keep = false
                case .requestID: keep = false
                case .contentLength: keep = !dropsLength
                default: keep = !ForwardingHeaders.isHopByHop(name, options)
                }
                if keep { size += Int(span.nameEnd - span.nameStart) + Int(span.valueEnd - span.valueStart) + 4 }
                if index < 64 {
                    if keep { kept |= 1 << UInt64(index) }
                } else {
                    keptBeyond.append(keep)
                }
            }
            size += upstreamVia.reduce(0) { $0 + $1.count + 2 } + 7 + via.utf8.count
            size += 16 + requestID.utf8.count
            if let connection { size += 14 + connection.utf8CodeUnitCount }
            if chunked { size += 28 }
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var at = 0
                HeadWriter.copyStatusLine(version, upstream.status, reason: reason, to: out, at: &at)
                for (index, span) in spans.enumerated() {
                    guard index < 64 ? kept >> UInt64(index) & 1 == 1 : keptBeyond[index - 64] else { continue }
                    HeadWriter.copyField(UnsafeRawBufferPointer(rebasing: all[Int(span.nameStart)..<Int(span.nameEnd)]),
                                         UnsafeRawBufferPointer(rebasing: all[Int(span.valueStart)..<Int(span.valueEnd)]),
                                         to: out, at: &at)
                }
                HeadWriter.copy("via: ", to: out, at: &at)
                for range in upstreamVia {
                    HeadWriter.copy(UnsafeRawBufferPointer(rebasing: all[range]), to: out, at: &at)
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
