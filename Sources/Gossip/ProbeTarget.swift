/// A probe schedule entry: a member table slot and the low bits of the uid of the member
/// that held it when scheduled, 8 bytes instead of a 24-byte NodeID. An entry whose slot
/// now holds another process is skipped.
struct ProbeTarget: Equatable {
    let slot: Int32
    let uidTag: UInt32

    init(slot: Int, uid: UInt64) {
        self.slot = Int32(slot)
        uidTag = UInt32(truncatingIfNeeded: uid)
    }

    func matches(_ record: MemberRecord) -> Bool {
        UInt32(truncatingIfNeeded: record.id.uid) == uidTag
    }
}
