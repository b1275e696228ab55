/// Whether a response may be stored by a shared cache, and with what freshness (RFC 9111 §3,
/// §4.2.1, §5.2), under a route's `CacheRules`.
public enum Storability: Sendable, Equatable {
    case store(Freshness)
    case bypass(BypassReason)

    public enum BypassReason: String, Sendable {
        case method, status, requestNoStore = "request-no-store", noStore = "no-store", privateResponse = "private"
        case authorization, varyStar = "vary-star", noFreshness = "no-freshness", tooLarge = "too-large"
        case setCookie = "set-cookie"
        /// A HEAD's response has no body to store: HEADs are answered from stored GETs.
        case headResponse = "head-response"
    }

    /// - Parameters:
    ///   - requestTime: when the request went to the origin; `responseTime`: when the response
    ///     head arrived. Both on the caller's wall clock.
    public static func evaluate(request: CacheRequest, response: CacheResponse, requestTime: WallTime,
                                responseTime: WallTime, rules: CacheRules) -> Storability {
        let requestDirectives = CacheControl(request.headers)
        let targeted = CacheControl.targeted(response.headers)
        let directives = targeted ?? CacheControl(response.headers)
        guard rules.methods.contains(request.method) else { return .bypass(.method) }
        if request.method == "HEAD" { return .bypass(.headResponse) }
        if requestDirectives.noStore { return .bypass(.requestNoStore) }
        // RFC 9111 §5.2.2.3: `must-understand` overrides `no-store` for a status whose caching
        // rules the cache knows, and forbids storing any other.
        if directives.has("must-understand") {
            guard understoodStatuses.contains(response.status) else { return .bypass(.status) }
        } else if directives.noStore {
            return .bypass(.noStore)
        }
        if directives.isPrivate { return .bypass(.privateResponse) }
        if request.headers.contains("authorization"),
           !(directives.isPublic || directives.sharedMaxAge != nil || directives.mustRevalidate) {
            return .bypass(.authorization)
        }
        if response.headers.listMembers("vary").contains("*") { return .bypass(.varyStar) }
        // One client's cookie served to every other: a shared cache keeps none, as nginx and
        // Varnish do by default.
        if response.headers.contains("set-cookie") { return .bypass(.setCookie) }
        if let length = response.headers.first("content-length").flatMap({ Int($0.trimmingOWS()) }),
           length > rules.maxObjectSize {
            return .bypass(.tooLarge)
        }

        let date = response.headers.first("date").flatMap { HTTPDate.parse($0.trimmingOWS()) } ?? responseTime
        let explicitLifetime = explicitLifetime(directives, expires: targeted == nil ? response.headers.first("expires") : nil,
                                                date: date)
        guard statusIsStorable(response.status, explicit: explicitLifetime != nil, rules: rules) else {
            return .bypass(.status)
        }
        let lifetime: Int
        if rules.override, let ttl = rules.defaultTTL {
            lifetime = ttl
        } else if let explicitLifetime {
            lifetime = explicitLifetime
        } else if let ttl = rules.defaultTTL {
            lifetime = ttl
        } else {
            return .bypass(.noFreshness)
        }

        // RFC 9111 §4.2.3.
        let ageValue = ageFieldValue(response.headers) ?? 0
        let apparentAge = max(0, responseTime - date)
        let correctedAgeValue = ageValue &+ max(0, responseTime - requestTime)
        return .store(Freshness(
            lifetime: lifetime,
            initialAge: max(apparentAge, correctedAgeValue),
            responseTime: responseTime,
            revalidatesAlways: directives.noCache,
            forbidsStale: directives.mustRevalidate || directives.proxyRevalidate || directives.sharedMaxAge != nil,
            staleWhileRevalidate: directives.staleWhileRevalidate ?? 0,
            staleIfError: directives.staleIfError ?? 0))
    }

    /// The `Age` a response arrived with (RFC 9111 §5.1): of a list, the first member, without
    /// parameters; nil when absent or not a non-negative integer.
    static func ageFieldValue(_ headers: FieldList) -> Int? {
        guard let first = headers.listMembers("age").first else { return nil }
        let value = first.prefix { $0 != ";" }.trimmingOWS()
        guard !value.isEmpty, value.allSatisfy(\.isASCIIDigit) else { return nil }
        return value.utf8.reduce(0) { min($0 * 10 + Int($1 - UInt8(ascii: "0")), 1 << 31) }
    }

    /// The statuses whose caching rules this cache implements (RFC 9110 §15).
    static let understoodStatuses: Set<Int> = CacheRules.heuristicallyCacheable.union([302, 303, 307])

    /// `s-maxage` over `max-age` over `Expires` (less `Date`); an invalid `Expires` is in the past.
    private static func explicitLifetime(_ directives: CacheControl, expires: String?, date: WallTime) -> Int? {
        if let shared = directives.sharedMaxAge { return shared }
        if let maxAge = directives.maxAge { return maxAge }
        guard let expires else { return nil }
        guard let time = HTTPDate.parse(expires.trimmingOWS()) else { return 0 }
        return max(0, time - date)
    }

    /// The route's statuses when it names them; otherwise any final status with explicit
    /// freshness (but partial content and 304, which complete or refresh another response), and
    /// the heuristically cacheable ones without.
    private static func statusIsStorable(_ status: Int, explicit: Bool, rules: CacheRules) -> Bool {
        if let statuses = rules.statuses { return statuses.contains(status) }
        if explicit { return (200...599).contains(status) && status != 206 && status != 304 }
        return CacheRules.heuristicallyCacheable.contains(status)
    }
}
