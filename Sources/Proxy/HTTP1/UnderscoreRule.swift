/// Which field lines of a head are dropped as they are read for a name holding `_`: an
/// origin that maps `_` to `-` would read `Transfer_Encoding` as `Transfer-Encoding`, and
/// frame the body differently from the gateway.
enum UnderscoreRule {
    /// Responses: names are taken as they are.
    case keepAll
    /// Requests, by default (nginx's `underscores_in_headers off`).
    case dropAll
    /// Requests with `--underscores-in-headers`: only names that would read as a field the
    /// gateway frames, rewrites or treats as hop-by-hop are dropped.
    case dropLookalikes

    init(_ setting: UnderscoredFields) {
        switch setting {
        case .dropped: self = .dropAll
        case .kept: self = .dropLookalikes
        }
    }

    /// Whether the field `name` is dropped (the fields the `Connection` fields name are
    /// judged once the head is complete, by ``dropsLookalike(_:of:)``).
    @inline(__always)
    func drops(_ name: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .keepAll: return false
        case .dropAll: return name.contains(UInt8(ascii: "_"))
        case .dropLookalikes:
            guard name.contains(UInt8(ascii: "_")) else { return false }
            let dashed = Self.dashed(name)
            return ForwardingHeaders.classify(dashed) != .other || ForwardingHeaders.isHopByHop(dashed, ConnectionOptions())
        }
    }

    /// Whether `name` holds `_` and reads, with dashes, as one of the fields `options` names.
    static func dropsLookalike(_ name: UnsafeRawBufferPointer, of options: ConnectionOptions) -> Bool {
        name.contains(UInt8(ascii: "_")) && options.names(dashed(name))
    }

    private static func dashed(_ name: UnsafeRawBufferPointer) -> LazyMapCollection<UnsafeRawBufferPointer, UInt8> {
        name.lazy.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }
    }
}
