/// RFC 9111 §4.4: a successful (2xx or 3xx) response to an unsafe method invalidates what is
/// stored for its target URL, and for the URLs in its `Location` and `Content-Location` when
/// they are on the same host (a different host could be used to bust someone else's entries).
public enum UnsafeMethodInvalidation {
    public static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE"]

    /// The busts `request` and its response call for, as resources keyed by `template`; none for
    /// a safe method or an unsuccessful status.
    public static func invalidations(request: CacheRequest, status: Int, response: FieldList,
                                     template: CacheKeyTemplate) -> [Invalidation] {
        guard !safeMethods.contains(request.method), (200...399).contains(status) else { return [] }
        var targets = [request.target]
        for name in ["location", "content-location"] {
            if let value = response.first(name), let target = sameHostTarget(value.trimmingOWS(), host: request.host) {
                targets.append(target)
            }
        }
        var seen: Set<String> = []
        return targets.compactMap { target in
            let key = template.key(for: CacheRequest(method: "GET", host: request.host, target: target))
            let resource = String(key.resource)
            return seen.insert(resource).inserted ? .resource(resource) : nil
        }
    }

    /// The origin-form target of a URI reference that stays on `host`: an absolute path, or an
    /// `http`/`https` URI whose host (any case, any port) is `host`. Nil otherwise.
    static func sameHostTarget(_ reference: String, host: String) -> String? {
        guard let url = URLReference(reference), url.scheme == nil || url.host == host.lowercased() else { return nil }
        return url.target
    }
}
