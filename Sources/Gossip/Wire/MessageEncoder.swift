/// A member's alive record, with where the fields it shares with the member's push-pull
/// entry start and where its tags start: the entry is those fields with the member's
/// state put in before the tags.
struct EncodedAnnouncement {
    let aliveRecord: [UInt8]
    let fieldsStart: Int
    let tagsStart: Int

    /// The size of the member's push-pull entry: its fields and the state byte.
    var entrySize: Int { aliveRecord.count - fieldsStart + 1 }

    /// Appends the member's push-pull entry, in `state`.
    func appendEntry(state: MemberState, to out: inout [UInt8]) {
        aliveRecord.withUnsafeBufferPointer { record in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: record[fieldsStart..<tagsStart]))
            out.append(state.wireCode)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: record[tagsStart...]))
        }
    }
}

/// Encodes messages as type–length–value records; a packet is the version byte followed
/// by records (see docs/wire.md).
struct MessageEncoder {
    private var body = ByteWriter(capacity: 512)
    /// A body buffer larger than this (a full state's) is let go after use, not kept for
    /// the next message: in a process of thousands of nodes every node would hold one.
    private static let largestKeptBuffer = 4096

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
        appendRecord(type, to: &out)
    }

    /// The alive record of `member`, with the offsets a push-pull entry is cut from.
    mutating func announcement(_ member: Member) -> EncodedAnnouncement {
        body.reset()
        identity(member)
        let tags = body.bytes.count
        labels(member)
        var record: [UInt8] = []
        appendRecord(.alive, to: &record)
        let fieldsStart = record.count - body.bytes.count
        return EncodedAnnouncement(aliveRecord: record, fieldsStart: fieldsStart, tagsStart: fieldsStart + tags)
    }

    /// A push-pull packet whose `count` member entries are cut from the members' encoded
    /// announcements by `appendEntries` (`EncodedAnnouncement.appendEntry`): the same bytes
    /// as `packet([.pushPull(...)])` with those members. `entryBytes` is the sum of the
    /// entries' `entrySize`, so that they are written once, straight into the packet, after
    /// the record's length.
    mutating func pushPullPacket(from: String, join: Bool, count: Int, entryBytes: Int, rumors: [Rumor],
                                 appendEntries: (inout [UInt8]) -> Void) -> [UInt8] {
        body.reset()
        pushPullHead(from: from, join: join, count: count)
        let headSize = body.bytes.count
        pushPullTail(rumors: rumors)
        let bodySize = body.bytes.count + entryBytes
        var out = MessageEncoder.packetHeader(capacity: 2 + ByteWriter.varintSize(bodySize) + bodySize)
        out.append(MessageType.pushPull.rawValue)
        ByteWriter.appendVarint(UInt64(bodySize), to: &out)
        out.append(contentsOf: body.bytes[..<headSize])
        let entriesStart = out.count
        appendEntries(&out)
        precondition(out.count - entriesStart == entryBytes, "push-pull entries differ from their announced size")
        out.append(contentsOf: body.bytes[headSize...])
        return out
    }

    /// Appends the record of type `type` whose body was just encoded.
    private mutating func appendRecord(_ type: MessageType, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 1 + ByteWriter.varintSize(body.bytes.count) + body.bytes.count)
        out.append(type.rawValue)
        ByteWriter.appendVarint(UInt64(body.bytes.count), to: &out)
        out.append(contentsOf: body.bytes)
        if body.bytes.capacity > MessageEncoder.largestKeptBuffer { body = ByteWriter(capacity: 512) }
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
            identity(member)
            labels(member)
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
            pushPullHead(from: from, join: join, count: members.count)
            for member in members {
                identity(member)
                body.u8(member.state.wireCode)
                labels(member)
            }
            pushPullTail(rumors: rumors)
            return .pushPull
        case let .census(live):
            body.varint(UInt64(live))
            return .census
        }
    }

    /// What a member's alive record and its push-pull entry begin with.
    private mutating func identity(_ member: Member) {
        id(member.id)
        address(member.address)
        body.varint(member.incarnation)
    }

    /// What they end with.
    private mutating func labels(_ member: Member) {
        body.map(member.tags)
        body.map(member.meta)
    }

    private mutating func pushPullHead(from: String, join: Bool, count: Int) {
        body.string(from)
        body.u8(join ? 1 : 0)
        body.varint(count)
    }

    private mutating func pushPullTail(rumors: [Rumor]) {
        body.varint(rumors.count)
        for rumor in rumors { rumorBody(rumor) }
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
