import CacheRing
import NIOHTTP1

extension Gateway {
    /// What the cache would key a request for `url` on: the route it takes and its key, or nil
    /// when no route with a `cache:` rule takes it. `url` is `http(s)://host/path?query` or a
    /// path; `headers` are the request fields the key template reads.
    public func cacheKey(method: String = "GET", url text: String, headers: FieldList = [:]) -> (route: String, key: CacheKey)? {
        guard let url = URLReference(text) else { return nil }
        let httpMethod = HTTPMethod(rawValue: method.uppercased())
        var fields = HTTPHeaders(headers.fields.map { ($0.name, $0.value) })
        if let authority = url.authority { fields.replaceOrAdd(name: "host", value: authority) }
        let lookup = FieldBlock(fields)
        let path = url.target.prefix { $0 != "?" }
        guard let route = snapshot.route(host: { Substring(url.host) }, path: path,
                                                accept: { $0.accepts(httpMethod, lookup) }),
              let rules = route.cache
        else { return nil }
        let request = CacheRequest(method: method.uppercased(), host: url.host, target: url.target, headers: headers)
        return (route.id, rules.key.key(for: request))
    }
}
