/// What changes between two configs, entity by entity: what `meshctl diff` prints and
/// what a version's summary says.
public struct ConfigDiff: Sendable, Equatable, Codable {
    public struct Entities: Sendable, Equatable, Codable {
        public var added: [String] = []
        public var removed: [String] = []
        public var changed: [String] = []

        public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
    }

    public var routes = Entities()
    public var upstreams = Entities()
    /// Routes whose policies changed (also listed under `routes.changed`).
    public var policies: [String] = []
    /// The route order changed while every route stayed the same.
    public var reordered = false

    public var isEmpty: Bool { routes.isEmpty && upstreams.isEmpty && !reordered }

    public init(from old: GatewayConfig, to new: GatewayConfig) {
        upstreams = Self.compare(old.upstreams, new.upstreams, id: \.id)
        routes = Self.compare(old.routes, new.routes, id: \.id)
        let oldRoutes = Dictionary(old.routes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        policies = new.routes.filter { route in
            oldRoutes[route.id].map { $0.policies != route.policies } ?? false
        }.map(\.id)
        reordered = routes.isEmpty && old.routes.map(\.id) != new.routes.map(\.id)
    }

    static func compare<T: Equatable>(_ old: [T], _ new: [T], id: KeyPath<T, String>) -> Entities {
        let before = Dictionary(old.map { ($0[keyPath: id], $0) }, uniquingKeysWith: { a, _ in a })
        let after = Set(new.map { $0[keyPath: id] })
        var entities = Entities()
        for item in new {
            let key = item[keyPath: id]
            if let previous = before[key] {
                if previous != item { entities.changed.append(key) }
            } else {
                entities.added.append(key)
            }
        }
        entities.removed = old.map { $0[keyPath: id] }.filter { !after.contains($0) }
        return entities
    }

    /// One line: `routes +1 -0 ~2, upstreams +0 -0 ~1`, or `no change`.
    public var summary: String {
        if isEmpty { return "no change" }
        func part(_ name: String, _ e: Entities) -> String {
            "\(name) +\(e.added.count) -\(e.removed.count) ~\(e.changed.count)"
        }
        return part("routes", routes) + ", " + part("upstreams", upstreams) + (reordered ? ", routes reordered" : "")
    }
}
