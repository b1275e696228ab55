import NIOCore

/// Whether a client connection takes another request after the one in progress.
enum ConnectionLifecycle: Comparable {
    /// Keep-alive: the next request is read once this response has ended.
    case open
    /// The gateway is draining: the response in progress is the connection's last.
    case draining
    /// No more input is read; the connection closes once its last bytes are written.
    case closing
}

/// What becomes of the request bytes read after a head.
enum RequestInput {
    /// They are the current request's body, for its exchange.
    case body
    /// After an early answer: the rest of the request's body is read and dropped; the next
    /// request follows it.
    case discarding
}

/// The forwarded response on its way to the client.
enum ResponseOutput {
    /// None, or one the gateway wrote whole.
    case idle
    /// The head, held back a moment: a small body that arrives with it goes out in the same write.
    case headHeld(ByteBuffer, chunked: Bool)
    /// The head with a small body joined to it, held until the response ends (written and
    /// flushed in one call then), the read completes or more of the body comes.
    case headAndBodyHeld(ByteBuffer)
    /// The head has gone out; `chunked`: the gateway frames the body (its upstream gave no length).
    case body(chunked: Bool)
}
