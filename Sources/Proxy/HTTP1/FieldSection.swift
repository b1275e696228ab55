/// The field lines of a head as they are read: where each lies in the head, and what the
/// fields that frame the message and manage the connection say. Requests and responses
/// note the same things; each reader judges them by its own rules.
struct FieldSection {
    private(set) var spans: [FieldBlock.Span]
    private(set) var connection = ConnectionOptions()
    private(set) var hosts = 0
    /// The last `Host` field is a valid host.
    private(set) var hostIsValid = true
    private(set) var contentLengths = 0
    private(set) var contentLength: Int?
    /// Every `Content-Length` field was digits only.
    private(set) var contentLengthIsValid = true
    /// Two `Content-Length` fields gave different lengths.
    private(set) var lengthsDiffer = false
    private(set) var transferEncodings = 0
    /// Every `Transfer-Encoding` field was exactly `chunked` (all a request may send).
    private(set) var codingIsChunked = true
    /// The last transfer coding listed is `chunked` (what frames a response's body).
    private(set) var lastCodingIsChunked = false

    init() {
        spans = []
        spans.reserveCapacity(16)
    }

    /// Takes in a field line that starts `offset` bytes into the head; false when it breaks the grammar.
    mutating func add(_ line: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard let field = FieldLine.bounds(line) else { return false }
        spans.append(FieldBlock.Span(field, at: offset))
        let name = UnsafeRawBufferPointer(rebasing: line[..<field.nameEnd])
        let value = UnsafeRawBufferPointer(rebasing: line[field.valueStart..<field.valueEnd])
        switch field.nameEnd {
        case 4 where HTTPSyntax.equalsIgnoringASCIICase(name, "host"):
            hosts += 1
            hostIsValid = HTTPSyntax.isValidHost(value)
        case 10 where HTTPSyntax.equalsIgnoringASCIICase(name, "connection"):
            connection.add(value)
        case 14 where HTTPSyntax.equalsIgnoringASCIICase(name, "content-length"):
            contentLengths += 1
            guard let length = HTTPSyntax.contentLength(value) else {
                contentLengthIsValid = false
                break
            }
            if let earlier = contentLength, earlier != length { lengthsDiffer = true }
            contentLength = length
        case 17 where HTTPSyntax.equalsIgnoringASCIICase(name, "transfer-encoding"):
            transferEncodings += 1
            if !HTTPSyntax.equalsIgnoringASCIICase(value, "chunked") { codingIsChunked = false }
            HTTPSyntax.forEachListElement(value) { coding in
                lastCodingIsChunked = HTTPSyntax.equalsIgnoringASCIICase(coding, "chunked")
            }
        default:
            break
        }
        return true
    }
}
