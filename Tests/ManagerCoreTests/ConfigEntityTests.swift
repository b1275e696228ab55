import ManagerCore
import XCTest

final class ConfigEntityTests: XCTestCase {
    func route(_ id: String, _ path: String = "/") -> RouteConfig {
        RouteConfig(id: id, match: RouteMatch(hosts: [], path: .prefix(path), methods: [], headers: []), destination: .upstream("u"))
    }

    /// Whatever was inserted, removed, changed or moved, each entity is paired with the base's
    /// entity of its id, or with nothing when the id is new.
    func testCounterpartsPairEntitiesByIDWhateverMoved() {
        let base = ["a", "b", "c", "d", "e"].map { route($0) }
        let next = [route("x"), route("a"), route("c", "/changed"), route("e"), route("b"), route("y"), route("d")]
        let counterparts = next.counterparts(in: base)
        XCTAssertEqual(counterparts.map { $0.map { base[$0].id } }, [nil, "a", "c", "e", "b", nil, "d"])
        XCTAssertEqual(next.indices.map { next.isUnchanged(at: $0, counterpart: counterparts[$0], in: base) },
                       [false, true, false, true, true, false, true])
        XCTAssertEqual(base.counterparts(in: base), Array(base.indices))
        XCTAssertEqual(base.counterparts(in: []), [nil, nil, nil, nil, nil])
        XCTAssertEqual([RouteConfig]().counterparts(in: base), [])
    }
}
