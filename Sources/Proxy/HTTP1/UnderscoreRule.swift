/// What becomes of a field line whose name holds `_`, as a head is read: an origin that maps
/// `_` to `-` would read `Transfer_Encoding` as `Transfer-Encoding`, and frame the body
/// differently from the gateway.
enum UnderscoreRule {
    /// Responses: names are taken as they are.
    case keepAll
    /// Requests: a name that would read as a field the gateway frames, rewrites or treats as
    /// hop-by-hop is dropped; any other underscored name is set aside until the route that
    /// takes the request decides (`underscores_in_headers`, or the global switch).
    case routeDecides

    enum Verdict {
        case keep
        case drop
        case setAside
    }

    /// What happens to the field `name` (the fields the `Connection` fields name are judged
    /// once the head is complete, by ``dropsLookalike(_:of:)``).
    @inline(__always)
    func verdict(_ name: UnsafeRawBufferPointer) -> Verdict {
        switch self {
        case .keepAll: return .keep
        case .routeDecides:
            guard name.contains(UInt8(ascii: "_")) else { return .keep }
            let dashed = Self.dashed(name)
            let lookalike = ForwardingHeaders.classify(dashed) != .other
                || ForwardingHeaders.isHopByHop(dashed, ConnectionOptions())
            return lookalike ? .drop : .setAside
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
