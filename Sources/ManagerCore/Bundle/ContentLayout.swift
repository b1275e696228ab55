extension GatewayConfig {
    /// `canonicalBytes`, spliced: the bytes of every entity equal to its counterpart in `base`
    /// are taken from `content` (the canonical bytes of `base`), and only the others are
    /// encoded. A one-route change to a large config encodes one route.
    public func canonicalBytes(reusing base: GatewayConfig, content: [UInt8]) -> [UInt8] {
        guard let layout = ContentLayout(scanning: content), layout.routes.count == base.routes.count,
              layout.upstreams.count == base.upstreams.count else { return canonicalBytes }
        func pieces<T: ConfigEntity>(_ entities: [T], _ earlier: [T], _ ranges: [Range<Int>]) -> [ContentLayout.Piece] {
            let counterparts = entities.counterparts(in: earlier)
            return entities.indices.map { index in
                if let counterpart = counterparts[index], entities.isUnchanged(at: index, counterpart: counterpart, in: earlier) {
                    return .base(ranges[counterpart])
                }
                return .fresh(CanonicalEncoding.encode(entities[index]))
            }
        }
        return ContentLayout.splice(routes: pieces(routes, base.routes, layout.routes),
                                    upstreams: pieces(upstreams, base.upstreams, layout.upstreams), base: content)
    }
}

/// Where each entity sits in a config's canonical bytes.
///
/// Canonical content is `{"routes":[R,…],"upstreams":[U,…]}` with each element exactly the
/// entity's own canonical encoding (sorted keys encode a nested value as they encode it
/// alone), so content can be spliced from an earlier version's bytes and the changed
/// entities' encodings.
struct ContentLayout: Equatable {
    var routes: [Range<Int>]
    var upstreams: [Range<Int>]

    static let head = Array(#"{"routes":["#.utf8)
    static let middle = Array(#"],"upstreams":["#.utf8)
    static let tail = Array("]}".utf8)

    /// The layout of canonical content; nil when `bytes` does not have that shape.
    init?(scanning bytes: [UInt8]) {
        var scanner = Scanner(bytes: bytes)
        guard scanner.take(Self.head), let routes = scanner.elements(),
              scanner.take(Self.middle), let upstreams = scanner.elements(),
              scanner.take(Self.tail), scanner.at == bytes.count else { return nil }
        self.routes = routes
        self.upstreams = upstreams
    }

    init(routes: [Range<Int>], upstreams: [Range<Int>]) {
        self.routes = routes
        self.upstreams = upstreams
    }

    /// One element of spliced content: a range of the base's bytes, or a fresh encoding.
    enum Piece {
        case base(Range<Int>)
        case fresh([UInt8])
    }

    /// Canonical content made of `routes` and `upstreams`, each piece taken from `base` or as given.
    static func splice(routes: [Piece], upstreams: [Piece], base: [UInt8]) -> [UInt8] {
        func length(_ piece: Piece) -> Int {
            switch piece {
            case .base(let range): return range.count
            case .fresh(let bytes): return bytes.count
            }
        }
        let count = head.count + middle.count + tail.count + routes.count + upstreams.count
            + routes.reduce(0) { $0 + length($1) } + upstreams.reduce(0) { $0 + length($1) }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        func append(_ pieces: [Piece]) {
            for (index, piece) in pieces.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                switch piece {
                case .base(let range): out += base[range]
                case .fresh(let bytes): out += bytes
                }
            }
        }
        out += head
        append(routes)
        out += middle
        append(upstreams)
        out += tail
        return out
    }

    /// Reads JSON arrays of values as the canonical encoder writes them: no white space,
    /// strings with backslash escapes.
    private struct Scanner {
        let bytes: [UInt8]
        var at = 0

        mutating func take(_ literal: [UInt8]) -> Bool {
            guard bytes.count - at >= literal.count, bytes[at..<(at + literal.count)].elementsEqual(literal) else { return false }
            at += literal.count
            return true
        }

        /// The ranges of the array's elements, up to (not past) its closing `]`.
        mutating func elements() -> [Range<Int>]? {
            var ranges: [Range<Int>] = []
            guard at < bytes.count else { return nil }
            if bytes[at] == UInt8(ascii: "]") { return ranges }
            var start = at
            var depth = 0
            var inString = false
            while at < bytes.count {
                let byte = bytes[at]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        at += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""):
                        inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        if depth == 0 {
                            guard byte == UInt8(ascii: "]"), at > start else { return nil }
                            ranges.append(start..<at)
                            return ranges
                        }
                        depth -= 1
                    case UInt8(ascii: ",") where depth == 0:
                        guard at > start else { return nil }
                        ranges.append(start..<at)
                        start = at + 1
                    default:
                        break
                    }
                }
                at += 1
            }
            return nil
        }
    }
}
