import XCTest
@testable import Gossip

final class MemberTableTests: XCTestCase {
    /// Random inserts, address changes and removals (one member per address): every lookup agrees with a plain model.
    func testLookupsByNameAndAddressSurviveInsertsMovesAndRemovals() {
        var table = MemberTable()
        var random = SplitMix64(seed: 7)
        var known: [String: NodeAddress] = [:]
        func record(_ name: String, _ address: NodeAddress) -> MemberRecord {
            MemberRecord(member: Member(id: NodeID(name: name, uid: 1), address: address, incarnation: 0, state: .alive),
                         stateChangedAt: .zero)
        }
        _ = table.insert(record("self", NodeAddress(host: "10.0.0.1", port: 1)))
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
                _ = table.insert(record(name, address))
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
}
