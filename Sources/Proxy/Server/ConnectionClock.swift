import NIOCore

/// Timestamps of one client connection that its timeouts are judged by.
final class ConnectionClock {
    var awaitingHead = true
    /// When the first byte of the next request arrived while waiting for it.
    var firstByteAt: NIODeadline?
    var idleSince = NIODeadline.now()
    var lastBodyAt = NIODeadline.now()
    /// Since when the client has not been taking what the gateway writes to it.
    var stalledSince: NIODeadline?
}
