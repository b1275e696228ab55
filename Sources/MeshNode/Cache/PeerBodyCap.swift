import Synchronization

/// The largest request or reply about a key that one peer session frame carries. A cache entry
/// over it never goes to a peer: a copy for the backup or a handoff is not sent, an owner's hit
/// is answered as a miss, and a fill is reported with nothing stored. Each such entry is
/// counted (`meshgate_cache_oversize_entries_total`), and the session goes on.
final class PeerBodyCap: Sendable {
    let maxBytes: Int
    private let skippedCount = Atomic<Int>(0)

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Entries kept off the wire so far.
    var skipped: Int { skippedCount.load(ordering: .relaxed) }

    /// `body`, or nil (counted) when it is over the cap.
    func fitting(_ body: [UInt8]) -> [UInt8]? {
        guard body.count > maxBytes else { return body }
        skippedCount.add(1, ordering: .relaxed)
        return nil
    }
}
