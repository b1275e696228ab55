/// An upstream or a route: an entity of config content, with an id unique among its kind.
public protocol ConfigEntity: Sendable, Equatable, Codable {
    var id: String { get }
}

extension UpstreamConfig: ConfigEntity {}
extension RouteConfig: ConfigEntity {}

extension Array where Element: ConfigEntity {
    /// For each entity, the position in `base` of the one with the same id (nil: it is new).
    /// A new version changes a config in few places, so entities are matched by position
    /// while the ids agree, and by id (an index built once, on the first disagreement) otherwise.
    public func counterparts(in base: [Element]) -> [Int?] {
        var index: [String: Int]?
        var next = 0
        return map { entity in
            if next < base.count, base[next].id == entity.id {
                next += 1
                return next - 1
            }
            if index == nil {
                index = Dictionary(base.indices.map { (base[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
            }
            guard let at = index?[entity.id] else { return nil }
            next = at + 1
            return at
        }
    }

    /// Whether the entity at `position` equals its counterpart in `base` (`counterparts(in:)`).
    public func isUnchanged(at position: Int, counterpart: Int?, in base: [Element]) -> Bool {
        guard let counterpart else { return false }
        return base[counterpart] == self[position]
    }
}
