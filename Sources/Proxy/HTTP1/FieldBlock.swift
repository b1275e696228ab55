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

        /// The span of a field line that starts `offset` bytes into the head.
        init(_ line: FieldLine.Bounds, at offset: Int) {
            nameStart = Int32(offset)
            nameEnd = Int32(offset + line.nameEnd)
            valueStart = Int32(offset + line.valueStart)
            valueEnd = Int32(offset + line.valueEnd)
        }
    }

    let bytes: ByteBuffer
    let spans: [Span]

    init(bytes: ByteBuffer, spans: [Span]) {
        self.bytes = bytes
        self.spans = spans
    }

    /// No fields at all.
    static var empty: FieldBlock { FieldBlock(bytes: ByteBuffer(), spans: []) }

    /// Fields a policy edited, laid out as field lines so they go upstream the same way.
    init(_ headers: HTTPHeaders) {
        var bytes = ByteBuffer()
        var spans: [Span] = []
        spans.reserveCapacity(headers.count)
        for (name, value) in headers {
            let start = bytes.writerIndex
            bytes.writeString(name)
            let nameEnd = bytes.writerIndex
            bytes.writeStaticString(": ")
            bytes.writeString(value)
            spans.append(Span(FieldLine.Bounds(nameEnd: nameEnd - start, valueStart: nameEnd + 2 - start,
                                               valueEnd: bytes.writerIndex - start), at: start))
            bytes.writeStaticString("\r\n")
        }
        self.init(bytes: bytes, spans: spans)
    }

    /// Calls `body` with the name and value of every field, in order.
    func forEach(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeReadableBytes { all in
            for span in spans {
                body(UnsafeRawBufferPointer(rebasing: all[Int(span.nameStart)..<Int(span.nameEnd)]),
                     UnsafeRawBufferPointer(rebasing: all[Int(span.valueStart)..<Int(span.valueEnd)]))
            }
        }
    }

    /// The first value of the field `name` (any letter case).
    func first(name: String) -> String? {
        var found: String?
        forEachValue(of: name) { value in
            found = String(decoding: value, as: UTF8.self)
            return false
        }
        return found
    }

    /// Calls `body` with the bytes of the first value of the field `name`, or with nil.
    func withFirstValue(of name: String, _ body: (UnsafeRawBufferPointer?) -> Void) {
        var found = false
        forEachValue(of: name) { value in
            found = true
            body(value)
            return false
        }
        if !found { body(nil) }
    }

    func contains(name: String) -> Bool {
        var found = false
        forEachValue(of: name) { _ in
            found = true
            return false
        }
        return found
    }

    /// Every value of the field `name`, in order.
    subscript(name: String) -> [String] {
        var values: [String] = []
        forEachValue(of: name) { value in
            values.append(String(decoding: value, as: UTF8.self))
            return true
        }
        return values
    }

    /// Calls `body` with each value of `name` while it returns true. The bytes are not
    /// touched when no field name has the length of `name`.
    private func forEachValue(of name: String, _ body: (UnsafeRawBufferPointer) -> Bool) {
        let wanted = name.utf8
        guard spans.contains(where: { Int($0.nameEnd - $0.nameStart) == wanted.count }) else { return }
        bytes.withUnsafeReadableBytes { all in
            for span in spans where Int(span.nameEnd - span.nameStart) == wanted.count {
                let field = UnsafeRawBufferPointer(rebasing: all[Int(span.nameStart)..<Int(span.nameEnd)])
                guard HTTPSyntax.equalsIgnoringASCIICase(field, wanted) else { continue }
                guard body(UnsafeRawBufferPointer(rebasing: all[Int(span.valueStart)..<Int(span.valueEnd)])) else { return }
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

/// Field values by name, in any letter case: from `HTTPHeaders` a policy may have edited, or
/// straight from a head's bytes.
protocol FieldLookup {
    func first(name: String) -> String?
    func contains(name: String) -> Bool
    subscript(name: String) -> [String] { get }
}

extension HTTPHeaders: FieldLookup {}
extension FieldBlock: FieldLookup {}

/// A request head from a client, its fields still as bytes.
struct RequestHead {
    let method: HTTPMethod
    let target: String
    let version: HTTPVersion
    let fields: FieldBlock
    /// Field lines the client sent that were dropped as they were read (``UnderscoreRule``).
    let droppedFields: Int
    /// Field lines with `_` in their names, set aside in `fields.bytes` for the route to keep
    /// or drop (``UnderscoreRule``); not among `fields`.
    let underscored: [FieldBlock.Span]

    init(
        method: HTTPMethod, target: String, version: HTTPVersion, fields: FieldBlock, droppedFields: Int = 0,
        underscored: [FieldBlock.Span] = []
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
        self.droppedFields = droppedFields
        self.underscored = underscored
    }

    /// The head as a route that keeps underscored fields takes it: those fields among the
    /// others, in the order they came.
    func keepingUnderscoredFields() -> RequestHead {
        var spans: [FieldBlock.Span] = []
        spans.reserveCapacity(fields.spans.count + underscored.count)
        var others = fields.spans[...]
        for span in underscored {
            while let next = others.first, next.nameStart < span.nameStart {
                spans.append(next)
                others = others.dropFirst()
            }
            spans.append(span)
        }
        spans += others
        return RequestHead(method: method, target: target, version: version,
                           fields: FieldBlock(bytes: fields.bytes, spans: spans), droppedFields: droppedFields)
    }

    /// A head as the policies left it.
    init(_ head: HTTPRequestHead) {
        self.init(method: head.method, target: head.uri, version: head.version, fields: FieldBlock(head.headers))
    }

    /// A `HEAD` request, matched on the method's case (`==` on `HTTPMethod` compares strings).
    var isHEAD: Bool {
        if case .HEAD = method { return true }
        return false
    }

    /// The head with its fields as `HTTPHeaders`, for policies.
    var http: HTTPRequestHead { HTTPRequestHead(version: version, method: method, uri: target, headers: fields.headers) }
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
