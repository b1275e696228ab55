/// Which stored keys move where when the ring changes, so a join, a leave or a crash does not
/// send a storm of misses to the origin. A key goes to each of its owners on the new ring that
/// did not own it on the old one, sent by exactly one node: the first of its old owners that
/// still holds a share, or that is leaving gracefully (and so still holds the key as it goes).
///
/// - a node leaving gracefully sends its primary keys to their new owners;
/// - on a join, the old primary sends the joining node the keys it now owns;
/// - on a crash, the surviving owner fills the new backup.
public enum Handoff {
    /// For each member, the keys among `held` that `local` sends it.
    /// - Parameter leaving: members that left gracefully (or are leaving): still senders.
    public static func plan(held: some Sequence<String>, local: String, before: KeyOwnership, after: KeyOwnership,
                            leaving: Set<String> = []) -> [String: [String]] {
        var sends: [String: [String]] = [:]
        for key in held {
            let previous = before.owners(of: key)
            guard previous.first(where: { after.isMember($0) || leaving.contains($0) }) == local else { continue }
            for owner in after.owners(of: key) where !previous.contains(owner) {
                sends[owner, default: []].append(key)
            }
        }
        return sends
    }
}
