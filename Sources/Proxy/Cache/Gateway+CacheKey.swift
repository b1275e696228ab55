import CacheRing
import NIOHTTP1

extension Gateway {
    /// What the cache would key a request for `url` on: the route it takes and its key, or nil
    /// when no route with a `cache:` rule takes it. `url` is `http(s)://host/path?query`, or a
    /// path with `host` given apart; `headers` are the request fields the key template reads.
    public func cacheKey(method: String = "GET", url: String, host: String? = nil,
                         headers: FieldList = [:]) -> (route: String, key: CacheKey)? {
        var target = url
        var authority = host ?? ""
        for scheme in ["http://", "https://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            authority = String(rest[..<end])
            target = rest[end...].isEmpty ? "/" : String(rest[end...])
        }
        guard target.hasPrefix("/") else { return nil }
        let hostOnly = authority.split(separator: ":").first.map { $0.lowercased() } ?? ""
        let httpMethod = HTTPMethod(rawValue: method.uppercased())
        var fields = HTTPHeaders(headers.fields.map { ($0.name, $0.value) })
        if !authority.isEmpty { fields.replaceOrAdd(name: "host", value: authority) }
        let lookup = FieldBlock(fields)
        let path = target.prefix { $0 != "?" }
        guard let route = snapshot.router.match(host: { Substring(hostOnly) }, path: path,
                                                accept: { $0.accepts(httpMethod, lookup) }),
              let rules = route.cache
        else { return nil }
        let request = CacheRequest(method: method.uppercased(), host: hostOnly, target: target, headers: headers)
        return (route.id, rules.key.key(for: request))
    }
}
