/// Responses that vary by request fields are stored as variants: the primary key plus the
/// normalized values of the fields `Vary` names (RFC 9111 §4.1).
public enum VaryKey {
    /// The lower-case field names a response varies by, sorted and without repeats; nil for
    /// `Vary: *`, which no request can match.
    public static func names(_ response: FieldList) -> [String]? {
        let names = response.listMembers("vary").map { $0.lowercased() }
        if names.contains("*") { return nil }
        return Set(names).sorted()
    }

    /// Fields whose values compare without regard to case: language tags (RFC 4647), content
    /// codings and media types' names.
    static let caseInsensitive: Set<String> = ["accept-language", "accept-encoding"]

    /// The variant's key for `request`: an absent field differs from an empty one.
    public static func variant(of primary: String, names: [String], request: FieldList) -> String {
        guard !names.isEmpty else { return primary }
        var text = primary + "\n;vary"
        for name in names {
            text += "\n" + name
            if let value = request.normalizedValue(name) {
                text += ": " + (caseInsensitive.contains(name) ? value.lowercased() : value)
            }
        }
        return text
    }
}
