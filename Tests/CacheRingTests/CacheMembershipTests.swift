import Gossip
import XCTest

@testable import CacheRing

final class CacheMembershipTests: XCTestCase {
    private func member(_ name: String, env: String? = nil, role: String? = nil, state: MemberState = .alive) -> Member {
        var tags: [String: String] = [:]
        if let env { tags["env"] = env }
        if let role { tags["role"] = role }
        return Member(id: NodeID(name: name, uid: 1), address: NodeAddress(host: "10.0.0.1", port: 7946), incarnation: 1,
                      state: state, tags: tags)
    }

    private let keys = (0..<2_000).map { "GET example.com/k\($0)" }

    func testNodesThatSawTheSameMembersInAnyOrderAgreeOnOwners() {
        var a = CacheMembership(local: member("a"))
        var c = CacheMembership(local: member("c"))
        for name in ["b", "c", "d"] { a.apply(.joined(member(name))) }
        for name in ["d", "a", "b"] { c.apply(.joined(member(name))) }
        for key in keys { XCTAssertEqual(a.ownership.owners(of: key), c.ownership.owners(of: key)) }
        XCTAssertEqual(Set(keys.compactMap { a.ownership.primary(of: $0) }), ["a", "b", "c", "d"])
    }

    func testOnlyLiveWorkersOfTheLocalEnvironmentHoldTheCache() {
        var ring = CacheMembership(local: member("a", env: "prod"))
        XCTAssertFalse(ring.apply(.joined(member("manager", env: "prod", role: "manager"))))
        XCTAssertFalse(ring.apply(.joined(member("staging-1", env: "staging"))))
        XCTAssertFalse(ring.apply(.joined(member("untagged"))), "a member without env is in 'default'")
        XCTAssertTrue(ring.apply(.joined(member("b", env: "prod"))))
        XCTAssertEqual(Set(keys.compactMap { ring.ownership.primary(of: $0) }), ["a", "b"])
        XCTAssertTrue(ring.apply(.updated(member("b", env: "staging"))), "a member that moves away leaves the ring")
        XCTAssertEqual(Set(keys.compactMap { ring.ownership.primary(of: $0) }), ["a"])
        XCTAssertEqual(CacheMembership(local: member("m", role: "manager")).ownership.owners(of: "k"), [], "a manager holds no share")
    }

    func testASuspectOwnerKeepsItsKeysButIsAskedLast() {
        var ring = CacheMembership(local: member("a"))
        for name in ["b", "c"] { ring.apply(.joined(member(name))) }
        let key = keys.first { ring.ownership.primary(of: $0) == "b" }!
        let owners = ring.ownership.owners(of: key)
        XCTAssertFalse(ring.apply(.suspected(member("b", state: .suspect))), "no rebuild on a suspicion")
        XCTAssertEqual(ring.ownership.owners(of: key), owners)
        XCTAssertEqual(ring.readOrder(of: key), [owners[1], "b"], "the backup is asked first")
        XCTAssertFalse(ring.apply(.refuted(member("b"))))
        XCTAssertEqual(ring.readOrder(of: key), owners)
    }

    func testADeadOrLeavingOwnersKeysGoToTheirBackup() {
        for gone in [MembershipEvent.failed(member("b", state: .dead)), .left(member("b", state: .left))] {
            var ring = CacheMembership(local: member("a"))
            for name in ["b", "c", "d"] { ring.apply(.joined(member(name))) }
            let before = keys.map { ring.ownership.owners(of: $0) }
            XCTAssertTrue(ring.apply(gone))
            for (key, owners) in zip(keys, before) {
                XCTAssertEqual(ring.ownership.primary(of: key), owners[0] == "b" ? owners[1] : owners[0], "\(gone)")
            }
        }
    }
}
