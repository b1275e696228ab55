/// Backpressure for one channel: while held, a `read` from the pipeline is remembered
/// instead of issued, and issued once the gate is resumed. The gate only decides; its
/// handler issues the read, after the gate is updated, so no call leaves the handler while
/// its gate is being changed.
struct ReadGate {
    private(set) var isHeld = false
    private var pending = false

    /// A read from the pipeline: true when it is to be issued now; while the gate is held,
    /// false, and the read is remembered.
    mutating func read() -> Bool {
        if isHeld { pending = true }
        return !isHeld
    }

    mutating func hold() { isHeld = true }

    /// Reopens the gate; true when a read was remembered while it was held, to be issued now.
    mutating func resume() -> Bool {
        guard isHeld else { return false }
        isHeld = false
        guard pending else { return false }
        pending = false
        return true
    }
}
