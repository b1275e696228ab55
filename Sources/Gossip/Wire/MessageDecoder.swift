/// Decodes packets and streams. Never traps: malformed input throws a `WireError`;
/// records of unknown type are skipped by their length.
enum MessageDecoder {
    struct Packet {
        var messages: [Message] = []
        /// Records whose type this version does not know.
        var unknownRecords = 0
        /// The first malformed record, if any; records before it are kept.
        var error: WireError?
    }

    /// Decodes a packet or stream: the version byte, then records until the end.
    static func decode(_ bytes: [UInt8]) -> Packet {
        var packet = Packet()
        guard let version = bytes.first else {
            packet.error = .empty
            return packet
        }
        guard version == WireLimits.version else {
            packet.error = .unsupportedVersion(version)
            return packet
        }
        var reader = ByteReader(bytes, from: 1)
        while !reader.isAtEnd {
            do throws(WireError) {
                let code = try reader.u8()
                let length = try reader.count(limit: reader.remaining, "record length")
                let bodyStart = reader.offset
                try reader.skip(length)
                guard let type = MessageType(rawValue: code) else {
                    packet.unknownRecords += 1
                    continue
                }
                var body = ByteReader(bytes, from: bodyStart, end: bodyStart + length)
                let message = try decodeBody(type, &body)
                guard body.isAtEnd else { throw .invalidValue("bytes after the \(type) record's fields") }
                packet.messages.append(message)
            } catch {
                packet.error = error
                return packet
            }
        }
        return packet
    }

    static func decodeBody(_ type: MessageType, _ r: inout ByteReader) throws(WireError) -> Message {
        switch type {
        case .ping:
            return .ping(seq: try readSeq(&r), target: try r.string("ping target"))
        case .pingReq:
            let seq = try readSeq(&r)
            let target = try r.string("ping-req target")
            let address = try readAddress(&r)
            return .pingReq(seq: seq, target: target, address: address, wantsNack: try r.flag("ping-req wants nack"))
        case .ack:
            return .ack(seq: try readSeq(&r))
        case .nack:
            return .nack(seq: try readSeq(&r))
        case .alive:
            let id = try readNodeID(&r)
            let address = try readAddress(&r)
            let incarnation = try r.varint()
            let tags = try r.map("tags")
            let meta = try r.map("meta")
            return .alive(Member(id: id, address: address, incarnation: incarnation, state: .alive, tags: tags, meta: meta))
        case .suspect:
            let id = try readNodeID(&r)
            let incarnation = try r.varint()
            let count = try r.count(limit: WireLimits.maxSuspecters, "suspecters")
            var suspecters: [String] = []
            suspecters.reserveCapacity(min(count, r.remaining))
            for _ in 0..<count { suspecters.append(try r.string("suspecter")) }
            return .suspect(id: id, incarnation: incarnation, suspecters: suspecters)
        case .dead:
            let id = try readNodeID(&r)
            let incarnation = try r.varint()
            let from = try r.string("dead from")
            return .dead(id: id, incarnation: incarnation, from: from, left: try r.flag("dead left"))
        case .rumor:
            return .rumor(try readRumor(&r))
        case .pushPull:
            let from = try r.string("push-pull sender")
            let join = try r.flag("push-pull join")
            let memberCount = try r.count(limit: WireLimits.maxMembers, "push-pull members")
            var members: [Member] = []
            members.reserveCapacity(min(memberCount, r.remaining / 12))
            for _ in 0..<memberCount {
                let id = try readNodeID(&r)
                let address = try readAddress(&r)
                let incarnation = try r.varint()
                guard let state = MemberState(wireCode: try r.u8()) else { throw .invalidValue("member state") }
                let tags = try r.map("tags")
                let meta = try r.map("meta")
                members.append(Member(id: id, address: address, incarnation: incarnation, state: state, tags: tags, meta: meta))
            }
            let rumorCount = try r.count(limit: WireLimits.maxRumors, "push-pull rumors")
            var rumors: [Rumor] = []
            rumors.reserveCapacity(min(rumorCount, r.remaining / 4))
            for _ in 0..<rumorCount { rumors.append(try readRumor(&r)) }
            return .pushPull(from: from, join: join, members: members, rumors: rumors)
        case .census:
            let live = try r.varint()
            guard live <= UInt64(WireLimits.maxMembers) else { throw .invalidValue("census count") }
            return .census(live: UInt32(live))
        }
    }

    private static func readSeq(_ r: inout ByteReader) throws(WireError) -> UInt32 {
        let value = try r.varint()
        guard value <= UInt64(UInt32.max) else { throw .invalidValue("sequence number") }
        return UInt32(value)
    }

    private static func readNodeID(_ r: inout ByteReader) throws(WireError) -> NodeID {
        let name = try r.string("name")
        return NodeID(name: name, uid: try r.u64())
    }

    private static func readAddress(_ r: inout ByteReader) throws(WireError) -> NodeAddress {
        let host = try r.string("host")
        return NodeAddress(host: host, port: try r.u16())
    }

    private static func readRumor(_ r: inout ByteReader) throws(WireError) -> Rumor {
        let subject = try r.string("rumor subject")
        let version = try r.varint()
        let urgent = try r.flag("rumor urgent")
        let payload = try r.byteString(limit: WireLimits.maxPayload, "rumor payload")
        return Rumor(subject: subject, version: version, payload: payload, urgent: urgent)
    }
}
