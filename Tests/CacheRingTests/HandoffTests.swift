import XCTest

@testable import CacheRing

final class HandoffTests: XCTestCase {
    private let keys = (0..<20_000).map { "GET example.com/k\($0)" }
    private let members = (0..<8).map { "node-\($0)" }

    /// Every node holds the keys it owned before (primary or backup) and plans its sends; the
    /// keys each node receives are what it newly owns, each once, from one sender.
    private func check(before: [String], after: [String], leaving: Set<String> = [], senders: [String],
                       file: StaticString = #filePath, line: UInt = #line) -> Int {
        let old = KeyOwnership(members: before), new = KeyOwnership(members: after)
        var received: [String: [String]] = [:]
        for sender in senders {
            let held = keys.filter { old.owners(of: $0).contains(sender) }
            for (target, sent) in Handoff.plan(held: held, local: sender, before: old, after: new, leaving: leaving) {
                XCTAssertTrue(new.isMember(target), "sends only to members: \(target)", file: file, line: line)
                received[target, default: []] += sent
            }
        }
        var expected: [String: [String]] = [:]
        for key in keys {
            for owner in new.owners(of: key) where !old.owners(of: key).contains(owner) { expected[owner, default: []].append(key) }
        }
        XCTAssertEqual(received.mapValues { $0.sorted() }, expected.mapValues { $0.sorted() }, file: file, line: line)
        return received.values.reduce(0) { $0 + $1.count }
    }

    func testAJoiningNodeGetsWhatItNowOwnsFromTheOldOwners() {
        let moved = check(before: members, after: members + ["new"], senders: members)
        // The new node becomes primary or backup of about 2/9 of the keys.
        XCTAssertEqual(Double(moved) / Double(keys.count), 2.0 / 9, accuracy: 0.08)
    }

    func testALeavingNodeHandsOverItsKeysAndTheOthersDoNotSendThemTwice() {
        let moved = check(before: members, after: members.filter { $0 != "node-3" }, leaving: ["node-3"], senders: members)
        XCTAssertEqual(Double(moved) / Double(keys.count), 2.0 / 8, accuracy: 0.08, "its primary and backup keys get a new owner")
        let old = KeyOwnership(members: members), new = KeyOwnership(members: members.filter { $0 != "node-3" })
        let primaries = keys.filter { old.primary(of: $0) == "node-3" }
        let plan = Handoff.plan(held: primaries, local: "node-3", before: old, after: new, leaving: ["node-3"])
        XCTAssertEqual(plan.values.reduce(0) { $0 + $1.count }, primaries.count, "the leaver sends each of its primary keys once")
    }

    func testAfterACrashTheSurvivingOwnerFillsTheNewBackup() {
        let survivors = members.filter { $0 != "node-5" }
        _ = check(before: members, after: survivors, senders: survivors)
    }

    func testNothingMovesWhenTheRingIsUnchanged() {
        let ring = KeyOwnership(members: members)
        XCTAssertEqual(Handoff.plan(held: keys, local: "node-0", before: ring, after: ring), [:])
    }
}
