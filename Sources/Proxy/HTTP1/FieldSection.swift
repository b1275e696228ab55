import NIOCore

/// The field lines of a head as they are read: where each lies in the head, and what the
/// fields that frame the message and manage the connection say. Requests and responses
/// note the same things; each reader judges them by its own rules.
struct FieldSection {
    private(set) var spans: [FieldBlock.Span]
    /// Field lines read, kept or dropped: what a limit on the number of fields counts.
    private(set) var lines = 0
    /// Field lines dropped by `underscores`.
    private(set) var dropped = 0
    /// Field lines `underscores` set aside for the route to keep or drop.
    private(set) var setAside: [FieldBlock.Span] = []
    private let underscores: UnderscoreRule
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

    init(underscores: UnderscoreRule) {
        self.underscores = underscores
        spans = []
        spans.reserveCapacity(16)
    }

    /// Empties it for the next head, in place. The list of spans keeps its room, and is not
    /// copied once the head that shared it is gone; the other lists, as a rule empty, are
    /// replaced only when they are not (so nothing is released for a head without them).
    mutating func clear() {
        spans.removeAll(keepingCapacity: true)
        if !setAside.isEmpty { setAside = [] }
        connection.clear()
        lines = 0
        dropped = 0
        hosts = 0
        hostIsValid = true
        contentLengths = 0
        contentLength = nil
        contentLengthIsValid = true
        lengthsDiffer = false
        transferEncodings = 0
        codingIsChunked = true
        lastCodingIsChunked = false
    }

    /// Takes in a field line that starts `offset` bytes into the head; false when it breaks the grammar.
    mutating func add(_ line: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard let field = FieldLine.bounds(line) else { return false }
        lines += 1
        let name = UnsafeRawBufferPointer(rebasing: line[..<field.nameEnd])
        switch underscores.verdict(name) {
        case .keep:
            break
        case .drop:
            dropped += 1
            return true
        case .setAside:
            setAside.append(FieldBlock.Span(field, at: offset))
            return true
        }
        spans.append(FieldBlock.Span(field, at: offset))
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

extension FieldSection {
    /// Once the head is complete: drops the fields set aside whose names read, with dashes,
    /// as a field the `Connection` fields name. `head` holds the field lines at the offsets
    /// they were added with.
    mutating func dropLookalikesOfNamedFields(in head: ByteBuffer) {
        guard !setAside.isEmpty, !connection.named.isEmpty else { return }
        let options = connection
        let before = setAside.count
        head.withUnsafeReadableBytes { all in
            setAside.removeAll { span in
                UnderscoreRule.dropsLookalike(
                    UnsafeRawBufferPointer(rebasing: all[Int(span.nameStart)..<Int(span.nameEnd)]), of: options)
            }
        }
        dropped += before - setAside.count
    }
}
