/// The header fields a cache keeps of a response: without hop-by-hop fields (RFC 9110 §7.6.1,
/// and any that `Connection` names), without `Age` (recomputed on every hit), and without the
/// tag fields, whose members become the entry's tags (`tagFields` are lower case).
public struct StoredHeaders: Sendable, Equatable {
    public var fields: FieldList
    public var tags: [String]

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "trailer", "age",
    ]

    /// Tags are separated by commas or spaces, as `Cache-Tag` and `Surrogate-Key` write them.
    public init(response: FieldList, tagFields: Set<String>) {
        let named = Set(response.listMembers("connection").map { $0.lowercased() })
        var kept: [(name: String, value: String)] = []
        var tags: [String] = []
        for field in response.fields {
            let name = field.name.lowercased()
            if tagFields.contains(name) {
                tags += field.value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
            } else if !Self.hopByHop.contains(name) && !named.contains(name) {
                kept.append(field)
            }
        }
        fields = FieldList(kept)
        var seen: Set<String> = []
        self.tags = tags.filter { seen.insert($0).inserted }
    }
}
