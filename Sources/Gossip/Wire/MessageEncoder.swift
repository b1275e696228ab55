/// Encodes messages as type–length–value records; a packet is the version byte followed
/// by records (see docs/wire.md).
struct MessageEncoder {
    private var body = ByteWriter(capacity: 512)

    /// A new packet: just the version byte.
    static func packetHeader(capacity: Int) -> [UInt8] {
        var packet: [UInt8] = []
        packet.reserveCapacity(capacity)
        packet.append(WireLimits.version)
        return packet
    }

    /// The record for one message: type, varint body length, body.
    mutating func record(_ message: Message) -> [UInt8] {
        var out: [UInt8] = []
        append(message, to: &out)
        return out
    }

    mutating func append(_ message: Message, to out: inout [UInt8]) {
        body.reset()
        let type = encodeBody(message)
        out.reserveCapacity(out.count + 1 + ByteWriter.varintSize(body.bytes.count) + body.bytes.count)
        out.append(type.rawValue)
        var length = ByteWriter(capacity: 4)
        length.varint(body.bytes.count)
        out.append(contentsOf: length.bytes)
        out.append(contentsOf: body.bytes)
    }

    /// A whole packet (or stream) holding the given messages.
    mutating func packet(_ messages: [Message]) -> [UInt8] {
        var out = MessageEncoder.packetHeader(capacity: 64)
        for message in messages { append(message, to: &out) }
        return out
    }

    private mutating func encodeBody(_ message: Message) -> MessageType {
        switch message {
        case let .ping(seq, target):
            body.varint(UInt64(seq))
            body.string(target)
            return .ping
        case let .pingReq(seq, target, targetAddress, wantsNack):
            body.varint(UInt64(seq))
            body.string(target)
            address(targetAddress)
            body.u8(wantsNack ? 1 : 0)
            return .pingReq
        case let .ack(seq):
            body.varint(UInt64(seq))
            return .ack
        case let .nack(seq):
            body.varint(UInt64(seq))
            return .nack
        case let .alive(member):
            id(member.id)
            address(member.address)
            body.varint(member.incarnation)
            body.map(member.tags)
            body.map(member.meta)
            return .alive
        case let .suspect(nodeID, incarnation, suspecters):
            id(nodeID)
            body.varint(incarnation)
            let named = suspecters.prefix(WireLimits.maxSuspecters)
            body.varint(named.count)
            for name in named { body.string(name) }
            return .suspect
        case let .dead(nodeID, incarnation, from, left):
            id(nodeID)
            body.varint(incarnation)
            body.string(from)
            body.u8(left ? 1 : 0)
            return .dead
        case let .rumor(rumor):
            rumorBody(rumor)
            return .rumor
        case let .pushPull(from, join, members, rumors):
            body.string(from)
            body.u8(join ? 1 : 0)
            body.varint(members.count)
            for member in members {
                id(member.id)
                address(member.address)
                body.varint(member.incarnation)
                body.u8(member.state.wireCode)
                body.map(member.tags)
                body.map(member.meta)
            }
            body.varint(rumors.count)
            for rumor in rumors { rumorBody(rumor) }
            return .pushPull
        }
    }

    private mutating func id(_ id: NodeID) {
        body.string(id.name)
        body.u64(id.uid)
    }

    private mutating func address(_ address: NodeAddress) {
        body.string(address.host)
        body.u16(address.port)
    }

    private mutating func rumorBody(_ rumor: Rumor) {
        body.string(rumor.subject)
        body.varint(rumor.version)
        body.u8(rumor.urgent ? 1 : 0)
        body.byteString(rumor.payload)
    }
}
