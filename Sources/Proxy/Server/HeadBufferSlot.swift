import NIOCore

/// The buffer a connection writes its heads into, kept from one head to the next instead of
/// allocated for each. The channel lets go of a head once it has written it out, as a rule
/// before the next head is made, so the kept buffer is cleared in place; while the channel
/// still holds it, clearing it allocates a new one (``ByteBuffer`` copies on write).
struct HeadBufferSlot {
    private var kept: ByteBuffer?

    /// A buffer that held more than this (a head with many fields, or a small body joined to
    /// one) is let go rather than held by an idle connection. A buffer grows only as far as
    /// its bytes need, so this bounds the room of those kept too. (Its bytes, not its room,
    /// are what is judged: the room is read from the buffer's storage under a dynamic
    /// exclusivity check.)
    static let keptBytesLimit = 8 * 1024

    /// The kept buffer, moved out of the slot, or nil when none is kept. Its owner clears it
    /// (`clear()` keeps the room it has, which is at least what it was first allocated with):
    /// done here, that would be a call made while the slot is being changed, and the compiler
    /// would then check every access to the slot at run time.
    mutating func take() -> ByteBuffer? { kept.take() }

    /// Keeps `buffer`, a head on its way to the channel, for the next one. Returns the buffer
    /// kept before (as a rule none: it was taken for this head), to be let go of by the caller
    /// once the slot's change is over. Let go of here, it could run a deinit, a call made while
    /// the slot is being changed, and every access to the slot would be checked at run time.
    @discardableResult
    mutating func keep(_ buffer: ByteBuffer) -> ByteBuffer? {
        var previous: ByteBuffer? = buffer.readableBytes <= Self.keptBytesLimit ? buffer : nil
        swap(&previous, &kept)
        return previous
    }
}
