import XCTest
@testable import Gossip

final class CodecTests: XCTestCase {
    static let member = Member(id: NodeID(name: "edge-1", uid: 0xDEAD_BEEF_0102_0304),
                               address: NodeAddress(host: "10.0.0.7", port: 7946), incarnation: 42, state: .alive,
                               tags: ["region": "eu-west", "zone": "a", "env": "prod", "role": "worker"],
                               meta: ["config_version": "17", "http_port": "8080"])

    static let everyMessage: [Message] = [
        .ping(seq: 1, target: "edge-1"),
        .ping(seq: UInt32.max, target: ""),
        .pingReq(seq: 77, target: "edge-2", address: NodeAddress(host: "::1", port: 1), wantsNack: true),
        .pingReq(seq: 78, target: "edge-3", address: NodeAddress(host: "h", port: 65535), wantsNack: false),
        .ack(seq: 300),
        .nack(seq: 301),
        .alive(member),
        .suspect(id: member.id, incarnation: 43, suspecters: ["a", "b", "c"]),
        .dead(id: member.id, incarnation: 44, from: "edge-9", left: false),
        .dead(id: member.id, incarnation: 45, from: "edge-1", left: true),
        .rumor(Rumor(subject: "config", version: 9, payload: Array("v9".utf8), urgent: true)),
        .rumor(Rumor(subject: "cache:/users/1", version: UInt64.max, payload: [], urgent: false)),
        .pushPull(from: "edge-1", join: true,
                  members: MemberState.allCases.map { state in
                      var m = member
                      m.state = state
                      m.id.name = "n-\(state)"
                      return m
                  },
                  rumors: [Rumor(subject: "config", version: 3, payload: [1, 2, 3], urgent: true)]),
        .census(live: 1),
        .census(live: UInt32(WireLimits.maxMembers)),
    ]

    func testEveryMessageRoundTrips() {
        var encoder = MessageEncoder()
        for message in Self.everyMessage {
            let bytes = encoder.packet([message])
            let decoded = MessageDecoder.decode(bytes)
            XCTAssertNil(decoded.error, "\(message)")
            XCTAssertEqual(decoded.messages, [message])
        }
        let all = encoder.packet(Self.everyMessage)
        XCTAssertEqual(MessageDecoder.decode(all).messages, Self.everyMessage)
    }

    /// A state cut from the members' encoded announcements is the same bytes as the state
    /// encoded message by message, whatever the number of members (the record's length
    /// takes one to three bytes) and of rumors.
    func testAStateCutFromAnnouncementsIsTheStateEncoded() {
        var encoder = MessageEncoder()
        let rumors = [Rumor(subject: "config", version: 3, payload: [1, 2, 3], urgent: true)]
        for count in [0, 1, 4, 300, 3_000] {
            let members = (0..<count).map { n in
                var member = Self.member
                member.id.name = "n-\(n)"
                member.state = MemberState.allCases[n % MemberState.allCases.count]
                member.tags = n % 2 == 0 ? [:] : member.tags
                return member
            }
            let announcements = members.map { member -> (announcement: EncodedAnnouncement, state: MemberState) in
                (encoder.announcement(member), member.state)
            }
            let cut = encoder.pushPullPacket(from: "edge-1", join: count % 2 == 0, count: count,
                                             entryBytes: announcements.reduce(0) { $0 + $1.announcement.entrySize },
                                             rumors: count > 4 ? rumors : []) { out in
                for (announcement, state) in announcements { announcement.appendEntry(state: state, to: &out) }
            }
            let whole = encoder.packet([.pushPull(from: "edge-1", join: count % 2 == 0, members: members,
                                                  rumors: count > 4 ? rumors : [])])
            XCTAssertEqual(cut, whole, "\(count) members")
        }
    }

    func testDocumentedExampleMatchesTheEncoder() {
        var encoder = MessageEncoder()
        let a = Member(id: NodeID(name: "a", uid: 1), address: NodeAddress(host: "10.0.0.1", port: 7946),
                       incarnation: 2, state: .alive)
        let expected: [UInt8] = [0x01, 0x01, 0x03, 0x05, 0x01, 0x62, 0x05, 0x18, 0x01, 0x61, 1, 0, 0, 0, 0, 0, 0, 0, 0x08]
            + Array("10.0.0.1".utf8) + [0x0A, 0x1F, 0x02, 0x00, 0x00]
        XCTAssertEqual(encoder.packet([.ping(seq: 5, target: "b"), .alive(a)]), expected)
    }

    func testUnknownRecordTypesAreSkipped() {
        var encoder = MessageEncoder()
        var packet = encoder.packet([.ping(seq: 5, target: "x")])
        packet += [200, 3, 9, 9, 9]
        encoder.append(.ack(seq: 6), to: &packet)
        let decoded = MessageDecoder.decode(packet)
        XCTAssertNil(decoded.error)
        XCTAssertEqual(decoded.unknownRecords, 1)
        XCTAssertEqual(decoded.messages, [.ping(seq: 5, target: "x"), .ack(seq: 6)])
    }

    func testOtherVersionsAndEmptyInputAreRefused() {
        XCTAssertEqual(MessageDecoder.decode([]).error, .empty)
        XCTAssertEqual(MessageDecoder.decode([2, 3, 1, 0]).error, .unsupportedVersion(2))
    }

    func testEveryPrefixOfValidMessagesFailsCleanly() {
        var encoder = MessageEncoder()
        for message in Self.everyMessage {
            let bytes = encoder.packet([message])
            for length in 0..<bytes.count {
                let decoded = MessageDecoder.decode(Array(bytes.prefix(length)))
                XCTAssertTrue(decoded.messages.isEmpty, "prefix \(length) of \(message)")
                if length > 1 { XCTAssertNotNil(decoded.error) }
            }
        }
    }

    /// Random bytes and damaged valid packets: the decoder answers an error, or messages that
    /// encode back to the very bytes it read (`answersAsPromised`).
    func testRandomBytesGetAnErrorOrMessagesThatEncodeBackToThem() {
        var random = SplitMix64(seed: 2026)
        var encoder = MessageEncoder()
        let valid = Self.everyMessage.map { encoder.packet([$0]) }
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                if round % 4 == 0 && !bytes.isEmpty { bytes[0] = WireLimits.version }
            } else {
                bytes = valid[round % valid.count]
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            XCTAssertTrue(MessageDecoder.answersAsPromised(bytes), "\(bytes)")
        }
    }

    /// Other spellings of what the encoder writes are refused, so nothing decodes to a message
    /// whose bytes differ from the ones received.
    func testOnlyTheEncodersOwnFormDecodes() {
        var encoder = MessageEncoder()
        let ack = encoder.packet([.ack(seq: 5)])
        XCTAssertEqual(ack, [WireLimits.version, MessageType.ack.rawValue, 1, 5])
        let longerVarint: [UInt8] = [WireLimits.version, MessageType.ack.rawValue, 2, 0x85, 0x00]
        XCTAssertEqual(MessageDecoder.decode(longerVarint).error, .overlongVarint)
        let trailingByte: [UInt8] = [WireLimits.version, MessageType.ack.rawValue, 2, 5, 0]
        XCTAssertNotNil(MessageDecoder.decode(trailingByte).error)
        var flagOfTwo = encoder.packet([.dead(id: NodeID(name: "a", uid: 1), incarnation: 1, from: "b", left: true)])
        flagOfTwo[flagOfTwo.count - 1] = 2
        XCTAssertEqual(MessageDecoder.decode(flagOfTwo).error, .invalidValue("dead left"))
        let invalidUTF8: [UInt8] = [WireLimits.version, MessageType.ping.rawValue, 3, 1, 1, 0xFF]
        XCTAssertEqual(MessageDecoder.decode(invalidUTF8).error, .invalidValue("ping target"))
        let member = Member(id: NodeID(name: "a", uid: 1), address: NodeAddress(host: "h", port: 1), incarnation: 0,
                            state: .alive, tags: ["k1": "v", "k2": "v"])
        var swapped = encoder.packet([.alive(member)])
        let k1 = swapped.firstIndex(of: UInt8(ascii: "1"))!
        let k2 = swapped.firstIndex(of: UInt8(ascii: "2"))!
        swapped.swapAt(k1, k2)
        XCTAssertEqual(MessageDecoder.decode(swapped).error, .invalidValue("tags"))
        for bytes in [longerVarint, trailingByte, flagOfTwo, invalidUTF8, swapped] {
            XCTAssertTrue(MessageDecoder.answersAsPromised(bytes))
        }
    }

    func testACensusAboveTheMemberLimitIsRefused() {
        let overLimit: [UInt8] = [WireLimits.version, MessageType.census.rawValue, 3, 0xA1, 0x8D, 0x06]
        XCTAssertEqual(MessageDecoder.decode(overLimit).error, .invalidValue("census count"))
        XCTAssertTrue(MessageDecoder.answersAsPromised(overLimit))
    }

    func testHugeDeclaredLengthsAreRejectedWithoutAllocating() {
        // A push-pull claiming 100,000 members, and a record claiming 2^60 bytes.
        let claimsManyMembers: [UInt8] = [WireLimits.version, MessageType.pushPull.rawValue, 6, 1, 0x41, 0, 0xA0, 0x8D, 0x06]
        XCTAssertNotNil(MessageDecoder.decode(claimsManyMembers).error)
        let claimsHugeRecord: [UInt8] = [WireLimits.version, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        XCTAssertEqual(MessageDecoder.decode(claimsHugeRecord).error, .limitExceeded("record length"))
        let overlongVarint: [UInt8] = [WireLimits.version, 3, 11] + [UInt8](repeating: 0xFF, count: 10) + [1]
        XCTAssertEqual(MessageDecoder.decode(overlongVarint).messages, [])
    }

    func testMalformedDatagramIsCountedAndEarlierMessagesKept() throws {
        let node = try GossipNode(name: "a", uid: 1, address: NodeAddress(host: "127.0.0.1", port: 1),
                                  config: .local, now: .zero, random: SplitMix64(seed: 1))
        var encoder = MessageEncoder()
        var packet = encoder.packet([.alive(Self.member)])
        packet += [MessageType.ping.rawValue, 50, 1]
        _ = node.receive(datagram: packet, from: NodeAddress(host: "10.0.0.7", port: 7946), now: .zero)
        XCTAssertEqual(node.stats.decodeErrors, 1)
        XCTAssertEqual(node.member(named: "edge-1")?.state, .alive)
    }

    func testAddressesParseAndPrint() {
        XCTAssertEqual(NodeAddress("10.0.0.1:7946"), NodeAddress(host: "10.0.0.1", port: 7946))
        XCTAssertEqual(NodeAddress("[::1]:7946"), NodeAddress(host: "::1", port: 7946))
        XCTAssertEqual(NodeAddress(host: "::1", port: 7946).description, "[::1]:7946")
        XCTAssertNil(NodeAddress("::1:7946"))
        XCTAssertNil(NodeAddress("host"))
        XCTAssertNil(NodeAddress("host:70000"))
        XCTAssertNil(NodeAddress(":80"))
    }
}
