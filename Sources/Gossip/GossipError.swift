/// Calls the core refuses, with the reason.
public enum GossipError: Error, Equatable, Sendable {
    /// The rumor, encoded, does not fit in one packet of `maxPacketSize` bytes.
    case rumorTooLarge(encodedSize: Int, limit: Int)
    /// The node's own alive announcement (name, address, tags, metadata) would take more
    /// than half a packet.
    case memberTooLarge(encodedSize: Int, limit: Int)
    /// A subject, name, tag or metadata string is longer than the wire format allows.
    case stringTooLong(String)
    /// More tags or metadata entries than the wire format allows.
    case tooManyEntries(Int)
    /// The node has left the mesh; it no longer takes part.
    case hasLeft
}
