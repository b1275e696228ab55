import CacheRing
import NIOCore
import Proxy

/// `GET /v1/cache/key?url=URL[&method=GET]`: the route a request for the URL takes, the key
/// the cache files it under, and the key's owners in the order nodes ask them
/// (`meshctl cache key`).
struct CacheKeyEndpoint: Sendable {
    let gateway: Gateway
    let cache: MeshCache

    func handle(_ request: AdminRequest) -> AdminResponse {
        guard let url = request.query["url"], !url.isEmpty else {
            return .error("give the URL as ?url=http://host/path (or a path)", status: .badRequest)
        }
        let method = request.query["method"] ?? "GET"
        guard let (route, key) = gateway.cacheKey(method: method, url: url) else {
            return .error("no route with a cache: rule takes \(method) \(url)", status: .notFound)
        }
        return .json(.object([
            ("url", .string(url)), ("route", .string(route)), ("key", .string(key.text)),
            ("owners", .array(cache.owners(of: key.text).map(JSONValue.string))),
        ]))
    }
}
