import NIOCore

/// Backpressure for one channel: while held, a `read` from the pipeline is remembered
/// instead of issued, and issued once the gate is resumed.
struct ReadGate {
    private(set) var isHeld = false
    private var pending = false

    mutating func read(_ context: ChannelHandlerContext) {
        if isHeld {
            pending = true
        } else {
            context.read()
        }
    }

    mutating func hold() { isHeld = true }

    /// Reopens the gate; returns false when it was not held.
    @discardableResult
    mutating func resume(_ context: ChannelHandlerContext?) -> Bool {
        guard isHeld else { return false }
        isHeld = false
        if pending, let context {
            pending = false
            context.read()
        }
        return true
    }
}
