/// One member and the local bookkeeping about it: 16 bytes, the member's announcement
/// shared behind one reference.
struct MemberRecord {
    private(set) var profile: MemberProfile
    var state: MemberState
    /// It had to refute a suspicion and has not answered a probe within the probe timeout
    /// since: a slow but live member, probed with patience (Lifeguard only).
    var answersLate = false

    init(member: Member, profiles: MemberProfiles? = nil) {
        profile = profiles?.profile(of: member) ?? MemberProfile(member)
        state = member.state
    }

    /// The member as a value. Setting it keeps the profile unless the announcement changed;
    /// the table then shares the new one (`MemberTable.modify`).
    var member: Member {
        get { profile.member(state: state) }
        set {
            if !profile.announces(newValue) { profile = MemberProfile(newValue) }
            state = newValue.state
        }
    }

    var id: NodeID { profile.id }
    var name: String { profile.id.name }
    var address: NodeAddress { profile.address }
    var incarnation: Incarnation { profile.incarnation }
    var isLive: Bool { state == .alive || state == .suspect }
    /// The member's alive record, as queued and sent.
    var aliveRecord: [UInt8] { profile.encoded.aliveRecord }

    fileprivate mutating func share(through profiles: MemberProfiles) {
        profile = profiles.profile(of: member)
    }
}

/// Every known member, dense in an array, found in O(1) by name and by address.
/// The local node is always slot 0; removal swaps the last record into the freed slot.
/// A class: the node looks members up for nearly every message, and a struct held by
/// the node would be copied whole (a retain and a release of each array) for each call.
final class MemberTable {
    /// Shares announcements with the other nodes of the process, if given.
    let profiles: MemberProfiles?
    private(set) var records: [MemberRecord] = []
    private var byName = SlotIndex()
    /// Several records may share an address (tombstones of unknown members have none);
    /// the index points at the one that took it last.
    private var byAddress = SlotIndex()
    /// Alive and suspect members, the local node included: N in every formula.
    private(set) var liveCount = 0
    /// When each dead or left member became so, by name: a tombstone's age, the
    /// gossip-to-the-dead window. Live members need no such time.
    private var goneSince: [String: Instant] = [:]

    init(profiles: MemberProfiles? = nil) {
        self.profiles = profiles
    }

    var count: Int { records.count }

    subscript(slot: Int) -> MemberRecord { records[slot] }

    /// The record a probe entry names, if its slot still holds that process.
    func record(for target: ProbeTarget) -> MemberRecord? {
        let slot = Int(target.slot)
        guard slot >= 0, slot < records.count, target.matches(records[slot]) else { return nil }
        return records[slot]
    }

    // The lookups' closures read a local reference to the records, not `self.records` at
    // every step of the probe.
    func slot(named name: String) -> Int? {
        let records = records
        return byName.find(hash: name.hashValue) { records[$0].name == name }
    }

    func slot(at address: NodeAddress) -> Int? {
        let records = records
        return byAddress.find(hash: address.hashValue) { records[$0].address == address }
    }

    /// When the member in `slot` died or left; nil while it is live.
    func goneSince(_ slot: Int) -> Instant? {
        records[slot].isLive ? nil : goneSince[records[slot].name]
    }

    func insert(_ member: Member, stateChangedAt: Instant) -> Int {
        let slot = records.count
        let record = MemberRecord(member: member, profiles: profiles)
        if !record.isLive { goneSince[record.name] = stateChangedAt }
        records.appendGrowingGently(record)
        let name = record.name
        let records = self.records
        byName.set(slot, hash: name.hashValue, matches: { records[$0].name == name },
                   hashOf: { Self.nameHash(records, $0) })
        indexAddress(of: slot)
        if record.isLive { liveCount += 1 }
        return slot
    }

    /// Changes a record in place, keeping the live count, the address index, the sharing of
    /// announcements and the time of death right. A change that kills the member, or
    /// replaces a dead one, gives `stateChangedAt`. The name must not change.
    func modify<T>(_ slot: Int, stateChangedAt: Instant? = nil, _ change: (inout MemberRecord) -> T) -> T {
        let wasLive = records[slot].isLive
        let oldProfile = records[slot].profile
        let result = change(&records[slot])
        let changed = records[slot]
        if wasLive != changed.isLive { liveCount += changed.isLive ? 1 : -1 }
        if changed.isLive {
            if !wasLive { goneSince[changed.name] = nil }
        } else if let stateChangedAt {
            goneSince[changed.name] = stateChangedAt
        }
        guard changed.profile !== oldProfile else { return result }
        if let profiles { records[slot].share(through: profiles) }
        let oldAddress = oldProfile.address
        if oldAddress != changed.address {
            let records = self.records
            byAddress.remove(slot, hash: oldAddress.hashValue, hashOf: { Self.addressHash(records, $0) })
            indexAddress(of: slot)
        }
        return result
    }

    func remove(_ slot: Int) {
        precondition(slot > 0, "the local member is never removed")
        let gone = records[slot]
        if gone.isLive { liveCount -= 1 }
        goneSince[gone.name] = nil
        do {
            let records = self.records
            byName.remove(slot, hash: gone.name.hashValue, hashOf: { Self.nameHash(records, $0) })
            byAddress.remove(slot, hash: gone.address.hashValue, hashOf: { Self.addressHash(records, $0) })
        }
        let last = records.count - 1
        if slot != last {
            let moved = records[last]
            byName.repoint(last, to: slot, hash: moved.name.hashValue)
            byAddress.repoint(last, to: slot, hash: moved.address.hashValue)
            records[slot] = records[last]
        }
        records.removeLast()
    }

    private func indexAddress(of slot: Int) {
        let records = self.records
        let address = records[slot].address
        byAddress.set(slot, hash: address.hashValue, matches: { records[$0].address == address },
                      hashOf: { Self.addressHash(records, $0) })
    }

    // The index closures read a local reference to the records, never `self`, one of whose
    // indexes is being changed while they run.
    private static func nameHash(_ records: [MemberRecord], _ slot: Int) -> Int { records[slot].name.hashValue }
    private static func addressHash(_ records: [MemberRecord], _ slot: Int) -> Int { records[slot].address.hashValue }
}
