/// Bounds the decoder enforces, so arbitrary bytes can never make it allocate without limit.
public enum WireLimits {
    /// The only wire version this code speaks; the first byte of every packet and stream.
    public static let version: UInt8 = 1
    /// Names, hosts, subjects, tag and metadata keys and values.
    public static let maxStringLength = 1024
    /// Tags or metadata entries per member.
    public static let maxMapEntries = 64
    /// Suspecters named in one suspect message.
    public static let maxSuspecters = 16
    /// Members in one push-pull state.
    public static let maxMembers = 100_000
    /// Rumors in one push-pull state.
    public static let maxRumors = 4096
    /// Payload of one rumor.
    public static let maxPayload = 65_536
    /// Whole push-pull stream.
    public static let maxStreamSize = 64 << 20
}

/// Why bytes could not be decoded.
public enum WireError: Error, Equatable, Sendable {
    case empty
    case unsupportedVersion(UInt8)
    case truncated
    case overlongVarint
    case limitExceeded(String)
    case invalidValue(String)
}
