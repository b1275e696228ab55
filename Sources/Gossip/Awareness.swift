/// Lifeguard local health awareness: missed acks and nacks, and having to refute a
/// suspicion, raise the score; successful probes lower it. The node stretches its own
/// probe interval and probe timeout by (score + 1), so a slow or overloaded node stops
/// accusing healthy peers of its own lateness.
struct Awareness {
    let max: Int
    let enabled: Bool
    private(set) var score = 0

    init(max: Int, enabled: Bool, initial: Int = 0) {
        self.max = Swift.max(1, max)
        self.enabled = enabled
        if enabled { score = Swift.min(Swift.max(initial, 0), self.max - 1) }
    }

    mutating func apply(delta: Int) {
        guard enabled else { return }
        score = Swift.min(Swift.max(score + delta, 0), max - 1)
    }

    func scale(_ duration: Duration) -> Duration {
        score == 0 ? duration : duration * (score + 1)
    }
}

/// Acks that came after the probe timeout, in a row, each from a member other than the one
/// before. One late member is that member's lateness; several in a row are the prober's.
struct LateAckStreak {
    private var count = 0
    private var last: String?

    /// Records a late ack from `member`; true once the streak spans two members or more.
    mutating func record(_ member: String) -> Bool {
        if member != last {
            count += 1
            last = member
        }
        return count >= 2
    }
}
