/// Catching up on members that gossip did not bring. Every probe and gossip packet carries
/// its sender's census: how many members it holds live. When a peer holds more members
/// live than this node knows at all, tombstones included, the peer knows at least one
/// member this node has never heard of (each of its live members is a name, and no name
/// is counted twice). Rumor mongering leaves such gaps by design: each update is sent a
/// bounded number of times, so in a mass start a few (node, member) pairs are never
/// reached, and would wait for the next periodic push-pull. The watch keeps the largest
/// census above this node's count and who sent it; once this node's own count has been
/// still for `quiet` (gossip about the start has died down here), it exchanges states
/// with that peer, at most once per the `spacing` the caller gives.
struct CensusWatch {
    let quiet: Duration
    private var known = 0
    private var knownSince: Instant
    private var nextPullAt: Instant
    /// The largest census above `known` heard since the last pull, and its sender.
    private var ahead: (live: Int, sender: NodeAddress)?

    init(quiet: Duration, now: Instant) {
        self.quiet = quiet
        knownSince = now
        nextPullAt = now
    }

    /// A peer at `sender` holds `live` members live; this node knows `known`.
    mutating func heard(live: Int, from sender: NodeAddress, known: Int, now: Instant) {
        note(known: known, now: now)
        if live > known, live > ahead?.live ?? 0 { ahead = (live, sender) }
    }

    /// The peer to exchange states with now, if a census showed members this node lacks
    /// and its count has been still long enough; the next may follow `spacing` later.
    mutating func dueExchange(known: Int, now: Instant, spacing: Duration) -> NodeAddress? {
        note(known: known, now: now)
        guard let ahead, now >= max(knownSince + quiet, nextPullAt) else { return nil }
        self.ahead = nil
        nextPullAt = now + spacing
        return ahead.sender
    }

    /// When `dueExchange` may next name a peer, if a census is pending.
    var deadline: Instant? {
        ahead.map { _ in max(knownSince + quiet, nextPullAt) }
    }

    private mutating func note(known: Int, now: Instant) {
        guard known != self.known else { return }
        self.known = known
        knownSince = now
        // Gossip brought as many members as the census promised: nothing left to fetch.
        if let ahead, ahead.live <= known { self.ahead = nil }
    }
}
