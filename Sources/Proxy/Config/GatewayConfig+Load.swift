import Foundation

extension GatewayConfig {
    /// Reads a YAML file, or every `*.yaml`/`*.yml` file of a folder in name order, as one config.
    public static func load(path: String) throws -> GatewayConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, line: 0, "no such file or folder")
        }
        let files: [String]
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            if files.isEmpty { throw ConfigError(file: path, line: 0, "the folder holds no .yaml or .yml file") }
        } else {
            files = [path]
        }
        var merged = GatewayConfig(upstreams: [], routes: [])
        for file in files {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigError(file: file, line: 0, "cannot read: \(error.localizedDescription)")
            }
            let part = try ConfigParser(file: file).parse(text)
            merged.upstreams += part.upstreams
            merged.routes += part.routes
        }
        try merged.validate()
        return merged
    }

    /// Parses one YAML document; `file` names it in error messages.
    public static func parse(yaml: String, file: String) throws -> GatewayConfig {
        let config = try ConfigParser(file: file).parse(yaml)
        try config.validate()
        return config
    }

    /// Cross-references: unique ids, routes name upstreams that exist, no target listed twice.
    func validate() throws {
        var upstreamIDs: [String: SourcePosition] = [:]
        for upstream in upstreams {
            if let first = upstreamIDs[upstream.id] {
                throw ConfigError(upstream.position, "duplicate upstream id '\(upstream.id)' (first at \(first))")
            }
            upstreamIDs[upstream.id] = upstream.position
            var seen = Set<String>()
            for target in upstream.targets where !seen.insert(target.authority).inserted {
                throw ConfigError(target.position, "upstream '\(upstream.id)' lists target \(target.authority) twice")
            }
        }
        var routeIDs: [String: SourcePosition] = [:]
        for route in routes {
            if let first = routeIDs[route.id] {
                throw ConfigError(route.position, "duplicate route id '\(route.id)' (first at \(first))")
            }
            routeIDs[route.id] = route.position
            let named: [String]
            switch route.destination {
            case .upstream(let id): named = [id]
            case .split(let shares, _): named = shares.map(\.upstream)
            }
            for id in named where upstreamIDs[id] == nil {
                throw ConfigError(route.position, "route '\(route.id)' names unknown upstream '\(id)'")
            }
        }
    }
}
