/// An upstream or a route: an entity of config content, with an id unique among its kind.
public protocol ConfigEntity: Sendable, Equatable, Codable {
    var id: String { get }
}

extension UpstreamConfig: ConfigEntity {}
extension RouteConfig: ConfigEntity {}

extension Array where Element: ConfigEntity {
    /// For each entity, the one of `base` with the same id (nil: it is new). A new version
    /// changes a config in few places, so entities are matched by position while the ids
    /// agree, and by id (an index built once, on the first disagreement) otherwise.
    public func counterparts(in base: [Element]) -> [Element?] {
        var index: [String: Int]?
        var next = 0
        return map { entity in
            if next < base.count, base[next].id == entity.id {
                next += 1
                return base[next - 1]
            }
            if index == nil {
                index = Dictionary(base.indices.map { (base[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
            }
            guard let at = index?[entity.id] else { return nil }
            next = at + 1
            return base[at]
        }
    }
}
