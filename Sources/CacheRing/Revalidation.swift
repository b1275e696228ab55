/// Validating a stored response with the origin, and answering a client's own conditional
/// request from a fresh one (RFC 9111 §4.3, RFC 9110 §13).
public enum Revalidation {
    /// The conditional fields that ask the origin whether `stored` is still current:
    /// `If-None-Match` from its `ETag`, `If-Modified-Since` from its `Last-Modified`.
    /// Empty when it has no validator.
    public static func conditionalFields(for stored: FieldList) -> FieldList {
        var fields = FieldList()
        if let etag = stored.first("etag") { fields.fields.append((name: "If-None-Match", value: etag)) }
        if let lastModified = stored.first("last-modified") {
            fields.fields.append((name: "If-Modified-Since", value: lastModified))
        }
        return fields
    }

    /// The stored head updated by a 304 (RFC 9111 §4.3.4): each field the 304 carries replaces
    /// the stored ones of that name, except the framing fields that describe the stored body.
    public static func refreshed(_ stored: CacheResponse, by notModified: FieldList, tagFields: Set<String>) -> CacheResponse {
        let update = StoredHeaders(response: notModified, tagFields: tagFields).fields
        let kept: Set<String> = ["content-length", "content-encoding", "content-range"]
        let replaced = Set(update.fields.map { $0.name.lowercased() }).subtracting(kept)
        var fields = stored.headers.fields.filter { !replaced.contains($0.name.lowercased()) }
        fields += update.fields.filter { replaced.contains($0.name.lowercased()) }
        return CacheResponse(status: stored.status, headers: FieldList(fields))
    }

    /// Whether a client's conditional GET or HEAD is answered 304 from `stored`: `If-None-Match`
    /// by weak comparison of entity tags (or `*`); otherwise `If-Modified-Since` against
    /// `Last-Modified`, or `Date` when it has none (RFC 9111 §4.3.2).
    public static func notModified(request: FieldList, stored: FieldList) -> Bool {
        let tags = request.listMembers("if-none-match")
        if !tags.isEmpty {
            guard let etag = stored.first("etag") else { return false }
            return tags.contains("*") || tags.contains { weak($0) == weak(etag.trimmingOWS()) }
        }
        guard let since = request.first("if-modified-since").flatMap({ HTTPDate.parse($0.trimmingOWS()) }),
              let modified = (stored.first("last-modified") ?? stored.first("date")).flatMap({ HTTPDate.parse($0.trimmingOWS()) })
        else { return false }
        return modified <= since
    }

    private static func weak(_ tag: String) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
    }
}
