import NIOCore

/// Whether an exchange with an upstream is still moving: response bytes read from it, or
/// request body bytes written to it. The data path only counts; the connection's tick reads
/// the clock and notes when the count last changed, so a stall is seen within a tick.
struct UpstreamProgress {
    private var moves = 0
    private var seen = 0
    private var since = NIODeadline.uptimeNanoseconds(0)

    /// The request went out at `now`: nothing has moved yet.
    mutating func start(at now: NIODeadline) {
        seen = moves
        since = now
    }

    mutating func moved() { moves &+= 1 }

    /// How long nothing has moved, as of `now`.
    mutating func stalled(at now: NIODeadline) -> TimeAmount {
        if moves != seen {
            seen = moves
            since = now
        }
        return now - since
    }
}
