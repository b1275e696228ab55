import Testing
@testable import MeshNode

@Suite struct EnvelopeTests {
    let key = ClusterKey.generate()
    let now: Int64 = 1_800_000_000_000

    @Test func sealedBytesOpenWithTheSameKey() throws {
        var guardian = ReplayGuard()
        let payload: [UInt8] = Array("ping from a".utf8)
        let sealed = Envelope.seal(payload, channel: .datagram, key: key, nowMillis: now)
        #expect(sealed.count == payload.count + Envelope.overhead)
        #expect(!sealed.containsSubsequence(payload))
        let opened = try Envelope.open(sealed, channel: .datagram, keys: [key], replayGuard: &guardian, nowMillis: now + 5)
        #expect(opened == payload)
    }

    @Test func anotherKeyCannotOpen() {
        var guardian = ReplayGuard()
        let sealed = Envelope.seal([1, 2, 3], channel: .datagram, key: key, nowMillis: now)
        #expect(throws: Envelope.OpenError.badKey) {
            try Envelope.open(sealed, channel: .datagram, keys: [ClusterKey.generate()], replayGuard: &guardian, nowMillis: now)
        }
    }

    @Test func anyAlteredByteIsRejected() {
        let sealed = Envelope.seal(Array(repeating: 7, count: 40), channel: .stream, key: key, nowMillis: now)
        for index in [0, 1, 30, sealed.count - 1] {
            var guardian = ReplayGuard()
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: (any Error).self) {
                try Envelope.open(tampered, channel: .stream, keys: [key], replayGuard: &guardian, nowMillis: now)
            }
        }
    }

    @Test func aDatagramCannotBeReplayedAsAStreamFrame() {
        var guardian = ReplayGuard()
        let sealed = Envelope.seal([9], channel: .datagram, key: key, nowMillis: now)
        #expect(throws: Envelope.OpenError.badKey) {
            try Envelope.open(sealed, channel: .stream, keys: [key], replayGuard: &guardian, nowMillis: now)
        }
    }

    @Test func aReplayedPacketIsRejected() throws {
        var guardian = ReplayGuard()
        let sealed = Envelope.seal([4, 2], channel: .datagram, key: key, nowMillis: now)
        _ = try Envelope.open(sealed, channel: .datagram, keys: [key], replayGuard: &guardian, nowMillis: now)
        #expect(throws: Envelope.OpenError.replayed) {
            try Envelope.open(sealed, channel: .datagram, keys: [key], replayGuard: &guardian, nowMillis: now + 1_000)
        }
    }

    @Test func anOldPacketIsRejectedAfterTheWindow() {
        var guardian = ReplayGuard(windowMillis: 60_000)
        let sealed = Envelope.seal([4, 2], channel: .datagram, key: key, nowMillis: now)
        #expect(throws: Envelope.OpenError.outsideWindow) {
            try Envelope.open(sealed, channel: .datagram, keys: [key], replayGuard: &guardian, nowMillis: now + 61_000)
        }
    }

    @Test func everyInstalledKeyIsTried() throws {
        var guardian = ReplayGuard()
        let old = ClusterKey.generate()
        let sealed = Envelope.seal([1], channel: .datagram, key: old, nowMillis: now)
        #expect(try Envelope.open(sealed, channel: .datagram, keys: [key, old], replayGuard: &guardian, nowMillis: now) == [1])
    }

    @Test func truncatedOrForeignBytesAreMalformed() {
        var guardian = ReplayGuard()
        #expect(throws: Envelope.OpenError.malformed) {
            try Envelope.open([1, 2, 3], channel: .datagram, keys: [key], replayGuard: &guardian, nowMillis: now)
        }
        var wrongVersion = Envelope.seal([1], channel: .datagram, key: key, nowMillis: now)
        wrongVersion[0] = 9
        #expect(throws: Envelope.OpenError.unknownVersion(9)) {
            try Envelope.open(wrongVersion, channel: .datagram, keys: [key], replayGuard: &guardian, nowMillis: now)
        }
    }
}

@Suite struct ReplayGuardTests {
    @Test func forgettingANonceRaisesTheFloorSoItCannotComeBack() {
        var guardian = ReplayGuard(windowMillis: 60_000, capacity: 2)
        let now: Int64 = 1_000_000
        #expect(guardian.check(nonce: [1], sentAtMillis: now, nowMillis: now) == .fresh)
        #expect(guardian.check(nonce: [2], sentAtMillis: now + 1, nowMillis: now + 1) == .fresh)
        #expect(guardian.check(nonce: [3], sentAtMillis: now + 2, nowMillis: now + 2) == .fresh)
        #expect(guardian.rememberedCount == 2)
        // Nonce 1 was forgotten, but its time is now below the floor.
        #expect(guardian.check(nonce: [1], sentAtMillis: now, nowMillis: now + 3) == .outsideWindow)
        #expect(guardian.check(nonce: [2], sentAtMillis: now + 1, nowMillis: now + 3) == .replayed)
    }

    @Test func expiredNoncesAreForgotten() {
        var guardian = ReplayGuard(windowMillis: 1_000, capacity: 100)
        for i in 0..<10 { _ = guardian.check(nonce: [UInt8(i)], sentAtMillis: 0, nowMillis: 0) }
        #expect(guardian.rememberedCount == 10)
        _ = guardian.check(nonce: [200], sentAtMillis: 5_000, nowMillis: 5_000)
        #expect(guardian.rememberedCount == 1)
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
