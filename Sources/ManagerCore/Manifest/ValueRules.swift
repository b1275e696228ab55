/// The rules for single values that both the manifest parser (which reports them at the
/// value's line) and `ValueChecks` (which holds every config to them, whatever its source)
/// apply. Each answers what is wrong with the value, or nil.
enum ValueRules {
    /// A route's match path: absolute, no query, fragment or space, parameters as whole `{name}` segments.
    static func path(_ path: String) -> String? {
        guard path.hasPrefix("/"),
              !path.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: " ") }) else {
            return "path '\(path)' must start with / and hold no query, fragment or space"
        }
        for segment in path.split(separator: "/") where segment.contains("{") || segment.contains("}") {
            guard segment.hasPrefix("{"), segment.hasSuffix("}"), segment.count > 2 else {
                return "path '\(path)': a parameter is a whole segment like {id}"
            }
        }
        return nil
    }

    /// A host a route matches: a name, or `*.` and a name.
    static func host(_ host: String) -> String? {
        let name = host.hasPrefix("*.") ? host.dropFirst(2) : Substring(host)
        guard !name.isEmpty, !name.contains("*"), name.utf8.allSatisfy(HTTPToken.isHostChar) else {
            return "host '\(host)' must be a name or *.suffix"
        }
        return nil
    }

    /// A request method: an HTTP token.
    static func method(_ method: String) -> String? {
        method.isEmpty || !method.utf8.allSatisfy(HTTPToken.isTokenChar) ? "'\(method)' is not a method token" : nil
    }
}
