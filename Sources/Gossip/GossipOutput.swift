/// What the shell must carry out after a call into the core.
public enum GossipOutput: Sendable, Equatable {
    /// Send these bytes in one UDP datagram (the shell encrypts them).
    case datagram([UInt8], to: NodeAddress)
    /// Push-pull: open a TCP stream to the address, send the bytes, and feed the whole
    /// reply to `receive(streamReply:from:now:)`. A failed connection needs no report.
    case stream([UInt8], to: NodeAddress)
    case membership(MembershipEvent)
    /// A user rumor delivered here for the first time.
    case rumor(Rumor)
}
