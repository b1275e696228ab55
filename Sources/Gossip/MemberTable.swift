/// One member and the local bookkeeping about it.
struct MemberRecord {
    var member: Member
    /// When the state last changed: a tombstone's age, the gossip-to-the-dead window.
    var stateChangedAt: Instant
    /// It had to refute a suspicion and has not answered a probe within the probe timeout
    /// since: a slow but live member, probed with patience (Lifeguard only).
    var answersLate = false
}

/// Every known member, dense in an array, found in O(1) by name and by address.
/// The local node is always slot 0; removal swaps the last record into the freed slot.
struct MemberTable {
    private(set) var records: [MemberRecord] = []
    private var slotByName: [String: Int] = [:]
    private var slotByAddress: [NodeAddress: Int] = [:]
    /// Alive and suspect members, the local node included: N in every formula.
    private(set) var liveCount = 0

    var count: Int { records.count }

    subscript(slot: Int) -> MemberRecord { records[slot] }

    func slot(named name: String) -> Int? { slotByName[name] }

    func slot(at address: NodeAddress) -> Int? { slotByAddress[address] }

    mutating func insert(_ record: MemberRecord) -> Int {
        let slot = records.count
        records.append(record)
        slotByName[record.member.name] = slot
        slotByAddress[record.member.address] = slot
        if record.member.isLive { liveCount += 1 }
        return slot
    }

    /// Changes a record in place, keeping the live count and the address index right.
    /// The name must not change.
    mutating func modify<T>(_ slot: Int, _ change: (inout MemberRecord) -> T) -> T {
        let wasLive = records[slot].member.isLive
        let oldAddress = records[slot].member.address
        let result = change(&records[slot])
        let now = records[slot].member
        if wasLive != now.isLive { liveCount += now.isLive ? 1 : -1 }
        if oldAddress != now.address {
            if slotByAddress[oldAddress] == slot { slotByAddress[oldAddress] = nil }
            slotByAddress[now.address] = slot
        }
        return result
    }

    mutating func remove(_ slot: Int) {
        precondition(slot > 0, "the local member is never removed")
        let gone = records[slot].member
        if gone.isLive { liveCount -= 1 }
        slotByName[gone.name] = nil
        if slotByAddress[gone.address] == slot { slotByAddress[gone.address] = nil }
        let last = records.count - 1
        if slot != last {
            records[slot] = records[last]
            let moved = records[slot].member
            slotByName[moved.name] = slot
            if slotByAddress[moved.address] == last { slotByAddress[moved.address] = slot }
        }
        records.removeLast()
    }
}
