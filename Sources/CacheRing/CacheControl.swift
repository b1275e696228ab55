import RawStructuredFieldValues

/// The `Cache-Control` directives of a request or response (RFC 9111 §5.2). Names are
/// case-insensitive; for a repeated directive the first occurrence counts; a delta-seconds
/// value that is not a number counts as 0, so a response with invalid freshness is stale.
public struct CacheControl: Sendable, Equatable {
    public private(set) var directives: [String: String?] = [:]

    private init(directives: [String: String?]) { self.directives = directives }

    public init(_ fields: FieldList) {
        for member in fields.listMembers("cache-control") {
            let name = member.prefix { $0 != "=" }.trimmingOWS().lowercased()
            guard !name.isEmpty, directives[name] == nil else { continue }
            if member.count > name.count, let equals = member.firstIndex(of: "=") {
                directives[name] = .some(Self.unquoted(member[member.index(after: equals)...].trimmingOWS()))
            } else {
                directives[name] = .some(nil)
            }
        }
    }

    public func has(_ name: String) -> Bool { directives[name] != nil }

    /// The value of a delta-seconds directive: nil if absent, 0 if not a number, capped at 2^31
    /// as RFC 9111 §1.2.2 allows.
    public func seconds(_ name: String) -> Int? {
        guard let present = directives[name] else { return nil }
        guard let text = present, !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { return 0 }
        var value = 0
        for digit in text.utf8 {
            value = min(value * 10 + Int(digit - UInt8(ascii: "0")), 1 << 31)
        }
        return value
    }

    public var noStore: Bool { has("no-store") }
    /// `no-cache`, qualified with field names or not: a shared cache revalidates the whole response.
    public var noCache: Bool { has("no-cache") }
    /// `private`, qualified or not: a shared cache does not store the response.
    public var isPrivate: Bool { has("private") }
    public var isPublic: Bool { has("public") }
    public var mustRevalidate: Bool { has("must-revalidate") }
    public var proxyRevalidate: Bool { has("proxy-revalidate") }
    public var maxAge: Int? { seconds("max-age") }
    public var sharedMaxAge: Int? { seconds("s-maxage") }
    public var staleWhileRevalidate: Int? { seconds("stale-while-revalidate") }
    public var staleIfError: Int? { seconds("stale-if-error") }
    /// Request: the staleness the client accepts; `Int.max` for `max-stale` with no value.
    public var maxStale: Int? {
        guard let present = directives["max-stale"] else { return nil }
        return present == nil ? Int.max : seconds("max-stale")
    }
    public var minFresh: Int? { seconds("min-fresh") }

    private static func unquoted(_ value: String) -> String {
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return value }
        var out = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if !escaped && character == "\\" { escaped = true; continue }
            escaped = false
            out.append(character)
        }
        return out
    }
}

extension CacheControl {
    /// The directives a response targets at CDN caches (`CDN-Cache-Control`, RFC 9213), which
    /// this cache is: nil when the field is absent, empty, or not a valid Structured Field
    /// dictionary. When present they replace the response's `Cache-Control` and `Expires`.
    ///
    /// An integer member is a delta-seconds value and `true` a bare directive; a member of
    /// any other type is kept without a usable value (so `max-age="60"` counts as 0 and
    /// `private="x"` as `private`), and `false` as absent.
    public static func targeted(_ fields: FieldList) -> CacheControl? {
        let lines = fields.values("cdn-cache-control")
        guard !lines.isEmpty else { return nil }
        var parser = StructuredFieldValueParser(Array(lines.joined(separator: ", ").utf8))
        guard let dictionary = try? parser.parseDictionaryFieldValue(), !dictionary.isEmpty else { return nil }
        var directives: [String: String?] = [:]
        for (name, member) in dictionary {
            switch member {
            case .item(let item):
                switch item.rfc9651BareItem {
                case .bool(false): continue
                case .bool(true): directives[name] = .some(nil)
                case .integer(let value): directives[name] = .some(String(value))
                default: directives[name] = .some("")
                }
            case .innerList:
                directives[name] = .some("")
            }
        }
        return CacheControl(directives: directives)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
