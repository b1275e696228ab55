/// HTTP fields as received or stored: names as written, looked up case-insensitively, in order.
public struct FieldList: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// Every value of the fields named `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { Self.isNamed($0.name, name) ? $0.value : nil }
    }

    /// The value of the first field named `name` (lower case).
    public func first(_ name: String) -> String? {
        fields.first { Self.isNamed($0.name, name) }?.value
    }

    public func contains(_ name: String) -> Bool { first(name) != nil }

    /// The comma-separated list members of every field named `name`, trimmed, empty ones dropped.
    public func listMembers(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingOWS() }.filter { !$0.isEmpty }
    }

    /// The fields named `name` combined into one value, as a key compares them: list members
    /// trimmed and joined by ", ", runs of spaces and tabs inside a member folded into one space.
    /// Nil when there is no such field.
    public func normalizedValue(_ name: String) -> String? {
        let values = values(name)
        guard !values.isEmpty else { return nil }
        return values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { member in member.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
            .filter { !$0.isEmpty }
            .joined(separator: ", ")
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.isNamed($0.name, name) }
    }

    /// Whether a field's name, in any letter case, is `lowercased` (ASCII), without allocating.
    @inlinable
    public static func isNamed(_ name: String, _ lowercased: String) -> Bool {
        let a = name.utf8, b = lowercased.utf8
        guard a.count == b.count else { return false }
        return a.elementsEqual(b) { x, y in (x >= 0x41 && x <= 0x5A ? x | 0x20 : x) == y }
    }

    public static func == (lhs: FieldList, rhs: FieldList) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isOWS($0) }), let end = lastIndex(where: { !isOWS($0) }) else { return "" }
        return String(self[start...end])
    }
}
