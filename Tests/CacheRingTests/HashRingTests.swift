import XCTest

@testable import CacheRing

final class HashRingTests: XCTestCase {
    private let keys = (0..<100_000).map { "GET example.com/items/\($0)" }

    private func primaries(_ members: [String]) -> [String] {
        let ownership = KeyOwnership(members: members)
        return keys.map { ownership.primary(of: $0)! }
    }

    func testEveryNodeComputesTheSameOwnersWhateverOrderItListsMembersIn() {
        let members = (0..<8).map { "node-\($0)" }
        let a = KeyOwnership(members: members)
        let b = KeyOwnership(members: members.reversed() + ["node-3"])
        for key in keys.prefix(2_000) {
            XCTAssertEqual(a.owners(of: key), b.owners(of: key), key)
        }
    }

    func testAKeyHasAPrimaryAndADistinctBackup() {
        let ownership = KeyOwnership(members: ["a", "b", "c"])
        for key in keys.prefix(1_000) {
            let owners = ownership.owners(of: key)
            XCTAssertEqual(owners.count, 2)
            XCTAssertNotEqual(owners[0], owners[1])
            XCTAssertEqual(owners.first, ownership.primary(of: key))
        }
        XCTAssertEqual(KeyOwnership(members: ["solo"]).owners(of: "k"), ["solo"])
        XCTAssertEqual(KeyOwnership(members: []).owners(of: "k"), [])
        XCTAssertNil(KeyOwnership(members: []).primary(of: "k"))
    }

    func testKeysSpreadEvenlyFrom3To100Nodes() {
        for n in [3, 8, 32, 100] {
            var perNode: [String: Int] = [:]
            for owner in primaries((0..<n).map { "node-\($0)" }) { perNode[owner, default: 0] += 1 }
            XCTAssertEqual(perNode.count, n, "every node owns keys")
            let ratio = Double(perNode.values.max()!) / (Double(keys.count) / Double(n))
            XCTAssertLessThan(ratio, 1.3, "max/avg keys per node with \(n) nodes")
        }
    }

    func testAJoiningNodeTakesAboutOneNthAndOnlyKeysThatMoveToIt() {
        for n in [3, 8, 32] {
            let members = (0..<n).map { "node-\($0)" }
            let before = primaries(members)
            let after = primaries(members + ["new"])
            let moved = zip(before, after).filter { $0 != $1 }
            XCTAssertTrue(moved.allSatisfy { $0.1 == "new" }, "a key moves only to the joining node")
            let share = Double(moved.count) / Double(keys.count)
            XCTAssertEqual(share, 1 / Double(n + 1), accuracy: 0.35 / Double(n + 1), "\(n) nodes + 1")
        }
    }

    func testALeavingNodesKeysGoToTheirBackupsAndNoOtherKeyMoves() {
        let members = (0..<8).map { "node-\($0)" }
        let before = KeyOwnership(members: members)
        let after = KeyOwnership(members: members.filter { $0 != "node-5" })
        var moved = 0
        for key in keys {
            let owners = before.owners(of: key)
            if owners[0] == "node-5" {
                moved += 1
                XCTAssertEqual(after.primary(of: key), owners[1], "the backup becomes the primary")
            } else {
                XCTAssertEqual(after.primary(of: key), owners[0])
            }
        }
        XCTAssertEqual(Double(moved) / Double(keys.count), 1 / 8, accuracy: 0.35 / 8)
    }

    func testAMemberOfWeightTwoOwnsAboutTwiceTheKeys() {
        let ring = HashRing(members: [("a", 1), ("b", 2), ("c", 1), ("off", 0)], pointsPerWeight: 100)
        var counts = [Int](repeating: 0, count: 4)
        for key in keys { counts[ring.firstMember(from: StableHash.hash(key)) { _ in true }!] += 1 }
        XCTAssertEqual(counts[3], 0, "a member of weight 0 owns nothing")
        XCTAssertEqual(Double(counts[1]) / Double(keys.count), 0.5, accuracy: 0.08)
    }

    func testWalkingPastRejectedMembersReachesTheNextOnTheRing() {
        let ring = HashRing(members: [("a", 1), ("b", 1), ("c", 1)], pointsPerWeight: 50)
        for key in keys.prefix(500) {
            let order = ring.distinctMembers(from: StableHash.hash(key), count: 3)
            XCTAssertEqual(Set(order).count, 3)
            XCTAssertEqual(ring.firstMember(from: StableHash.hash(key)) { $0 != order[0] }, order[1])
            XCTAssertNil(ring.firstMember(from: StableHash.hash(key)) { _ in false })
        }
    }

    /// A mesh starting up changes the ring once per member: each change is applied to the ring
    /// held, and must give exactly the ring built from scratch over the same members.
    func testARingChangedMemberByMemberIsTheRingBuiltFromScratch() {
        var random = SystemRandomNumberGenerator()
        var ring = HashRing(members: [("seed", 1)], pointsPerWeight: 40)
        var weights: [String: Int] = ["seed": 1]
        for step in 0..<120 {
            if weights.count > 1, Int.random(in: 0..<3, using: &random) == 0 {
                let gone = weights.keys.randomElement(using: &random)!
                XCTAssertTrue(ring.remove(gone))
                weights[gone] = nil
            } else {
                let name = "node-\(step)"
                let weight = Int.random(in: 0...3, using: &random)
                ring.insert(name, weight: weight)
                weights[name] = weight
            }
            let fresh = HashRing(members: weights.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, pointsPerWeight: 40)
            XCTAssertEqual(Set(ring.members), Set(fresh.members), "step \(step)")
            for key in keys.prefix(300) {
                let hash = StableHash.hash(key)
                XCTAssertEqual(ring.distinctMembers(from: hash, count: 3).map { ring.members[$0] },
                               fresh.distinctMembers(from: hash, count: 3).map { fresh.members[$0] }, "step \(step), \(key)")
            }
        }
        XCTAssertFalse(ring.remove("never-there"))
    }

    func testOwnershipChangedMemberByMemberMatchesOwnershipBuiltFromScratch() {
        var ownership = KeyOwnership(members: ["a", "b"])
        XCTAssertTrue(ownership.insert("c"))
        XCTAssertFalse(ownership.insert("c"), "already a holder")
        XCTAssertTrue(ownership.remove("a"))
        XCTAssertFalse(ownership.remove("a"))
        XCTAssertTrue(ownership.insert("d"))
        let fresh = KeyOwnership(members: ["d", "c", "b"])
        XCTAssertEqual(ownership.members, fresh.members)
        for key in keys.prefix(2_000) { XCTAssertEqual(ownership.owners(of: key), fresh.owners(of: key), key) }
    }

    /// The hash places keys on every node of a mesh, across versions: changing it would move
    /// every key during a rolling upgrade.
    func testTheStableHashIsPinned() {
        XCTAssertEqual(StableHash.hash("a"), 0xED81_70DE_1919_A24D)
        XCTAssertEqual(StableHash.hash(Array("node-0#0".utf8)), 0xC85B_5DCF_87CF_528D)
    }
}
