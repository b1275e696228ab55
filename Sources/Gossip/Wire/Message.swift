/// Every message of the protocol, as it travels in a packet or a stream.
enum Message: Equatable {
    /// Are you alive? Answered by an ack with the same sequence number. `target` is the
    /// name the sender expects, so a different process at that address does not answer.
    case ping(seq: UInt32, target: String)
    /// Please ping `target` for me and forward its ack; send a nack if it stays silent.
    case pingReq(seq: UInt32, target: String, address: NodeAddress, wantsNack: Bool)
    case ack(seq: UInt32)
    /// The relay could not reach the target: evidence that the requester's own network works.
    case nack(seq: UInt32)
    case alive(Member)
    /// `suspecters` are the independent nodes that suspect the member (dogpile confirmations).
    case suspect(id: NodeID, incarnation: Incarnation, suspecters: [String])
    /// Dead, or left when `left` is set (a member announcing its own graceful leave).
    case dead(id: NodeID, incarnation: Incarnation, from: String, left: Bool)
    case rumor(Rumor)
    /// Full state for anti-entropy from the node named `from`: every member (tombstones
    /// included) and recent rumors.
    case pushPull(from: String, join: Bool, members: [Member], rumors: [Rumor])
    /// How many members the sender holds alive or suspect, itself included. A receiver that
    /// knows fewer members in all (tombstones included) is missing at least one of them.
    case census(live: UInt32)
}

/// One-byte message type codes. A decoder skips any code it does not know.
enum MessageType: UInt8 {
    case ping = 1
    case pingReq = 2
    case ack = 3
    case nack = 4
    case alive = 5
    case suspect = 6
    case dead = 7
    case rumor = 8
    case pushPull = 9
    case census = 10
}

extension MemberState {
    var wireCode: UInt8 {
        switch self {
        case .alive: 0
        case .suspect: 1
        case .dead: 2
        case .left: 3
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .alive
        case 1: self = .suspect
        case 2: self = .dead
        case 3: self = .left
        default: return nil
        }
    }
}
