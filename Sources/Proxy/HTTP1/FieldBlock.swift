import NIOCore
import NIOHTTP1

/// The field lines of a head as they arrived: the head's bytes, shared with the read
/// buffer, and where each field's name and value lie in them (the value without the
/// whitespace around it). Nothing is copied into strings unless asked for.
struct FieldBlock {
    struct Span {
        let nameStart: Int32
        let nameEnd: Int32
        let valueStart: Int32
        let valueEnd: Int32
    }

    let bytes: ByteBuffer
    let spans: [Span]

    var count: Int { spans.count }

    /// Calls `body` with the name and value of every field, in order.
    func forEach(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeReadableBytes { all in
            for span in spans {
                body(UnsafeRawBufferPointer(rebasing: all[Int(span.nameStart)..<Int(span.nameEnd)]),
                     UnsafeRawBufferPointer(rebasing: all[Int(span.valueStart)..<Int(span.valueEnd)]))
            }
        }
    }

    /// The fields as `HTTPHeaders`, for code that edits them.
    var headers: HTTPHeaders {
        var fields: [(String, String)] = []
        fields.reserveCapacity(spans.count)
        forEach { name, value in
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return HTTPHeaders(fields)
    }
}

/// A response head from an upstream, its fields still as bytes.
struct ResponseHead {
    let version: HTTPVersion
    let status: HTTPResponseStatus
    let fields: FieldBlock
    /// Whether a `Content-Length` field came with it.
    let hasContentLength: Bool

    /// The head with its fields as `HTTPHeaders`.
    var http: HTTPResponseHead { HTTPResponseHead(version: version, status: status, headers: fields.headers) }
}
