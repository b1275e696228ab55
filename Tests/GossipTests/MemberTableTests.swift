import XCTest
@testable import Gossip

final class MemberTableTests: XCTestCase {
    /// Random inserts, address changes and removals (one member per address): every lookup agrees with a plain model.
    func testLookupsByNameAndAddressSurviveInsertsMovesAndRemovals() {
        let table = MemberTable()
        var random = SplitMix64(seed: 7)
        var known: [String: NodeAddress] = [:]
        func insert(_ name: String, _ address: NodeAddress) {
            _ = table.insert(Member(id: NodeID(name: name, uid: 1), address: address, incarnation: 0, state: .alive),
                             stateChangedAt: .zero)
        }
        insert("self", NodeAddress(host: "10.0.0.1", port: 1))
        for step in 0..<20_000 {
            let name = "n\(Int.random(in: 0..<600, using: &random))"
            let address = NodeAddress(host: "10.1.\(step / 250).\(step % 250)", port: 7946)
            if let slot = table.slot(named: name) {
                if Bool.random(using: &random) {
                    table.remove(slot)
                    known[name] = nil
                } else {
                    table.modify(slot) { $0.member.address = address }
                    known[name] = address
                }
            } else {
                insert(name, address)
                known[name] = address
            }
        }
        XCTAssertEqual(table.count, known.count + 1)
        for (name, address) in known {
            let slot = table.slot(named: name)
            XCTAssertEqual(slot.map { table[$0].member.address }, address)
            XCTAssertEqual(table.slot(at: address), slot)
        }
        XCTAssertNil(table.slot(named: "missing"))
        XCTAssertEqual(table.slot(named: "self"), 0)
    }

    /// Tables that share `MemberProfiles` hold one profile per announcement; a change of the
    /// announcement moves a record to the profile of the new one, whichever table made it first.
    func testTablesThatShareProfilesHoldEachAnnouncementOnce() {
        let profiles = MemberProfiles()
        let first = MemberTable(profiles: profiles)
        let second = MemberTable(profiles: profiles)
        let member = Member(id: NodeID(name: "m", uid: 1), address: NodeAddress(host: "10.0.0.2", port: 7946),
                            incarnation: 0, state: .alive, tags: ["zone": "a"])
        let a = first.insert(member, stateChangedAt: .zero)
        let b = second.insert(member, stateChangedAt: .zero)
        XCTAssertTrue(first[a].profile === second[b].profile)
        XCTAssertEqual(MemoryLayout<MemberRecord>.stride, 16)

        second.modify(b) { $0.member.incarnation = 1 }
        XCTAssertFalse(first[a].profile === second[b].profile)
        first.modify(a) { $0.state = .suspect }
        XCTAssertEqual(first[a].member.incarnation, 0, "a change of state alone keeps the announcement")
        first.modify(a) { $0.member.incarnation = 1 }
        XCTAssertTrue(first[a].profile === second[b].profile)
        XCTAssertEqual(first[a].member.state, .suspect)
        XCTAssertEqual(profiles.count, 2)

        let third = MemberTable(profiles: profiles)
        var conflicting = member
        conflicting.incarnation = 1
        conflicting.tags = ["zone": "b"]
        let c = third.insert(conflicting, stateChangedAt: .zero)
        XCTAssertEqual(third[c].member, conflicting, "an announcement that conflicts with the shared one is kept as heard")
        XCTAssertEqual(MessageDecoder.decode([WireLimits.version] + third[c].aliveRecord).messages, [.alive(conflicting)])
        XCTAssertEqual(first[a].member.tags, ["zone": "a"])
        XCTAssertEqual(profiles.count, 2)
    }

    /// Only a dead or left member has a time of death; it goes when the member lives again.
    func testTheTimeOfDeathIsKeptWhileTheMemberIsGone() {
        let table = MemberTable()
        let slot = table.insert(Member(id: NodeID(name: "m", uid: 1), address: NodeAddress(host: "10.0.0.2", port: 1),
                                       incarnation: 0, state: .alive), stateChangedAt: .zero)
        let death = Instant(nanoseconds: 5)
        table.modify(slot, stateChangedAt: death) { $0.state = .suspect }
        XCTAssertNil(table.goneSince(slot))
        table.modify(slot, stateChangedAt: death) { $0.state = .dead }
        XCTAssertEqual(table.goneSince(slot), death)
        table.modify(slot) { $0.answersLate = false }
        XCTAssertEqual(table.goneSince(slot), death)
        table.modify(slot) { $0.state = .alive }
        XCTAssertNil(table.goneSince(slot))
    }
}
