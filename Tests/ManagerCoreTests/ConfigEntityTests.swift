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
        XCTAssertEqual(next.counterparts(in: base).map { $0?.id }, [nil, "a", "c", "e", "b", nil, "d"])
        XCTAssertEqual(next.counterparts(in: base)[2], route("c"), "the base's entity, not the changed one")
        XCTAssertEqual(base.counterparts(in: base), base.map(Optional.some))
        XCTAssertEqual(base.counterparts(in: []).compactMap { $0 }, [])
        XCTAssertEqual([RouteConfig]().counterparts(in: base), [])
    }
}
