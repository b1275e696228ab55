import XCTest
@testable import MeshNode

final class EnvelopeTests: XCTestCase {
    let key = ClusterKey.generate()
    let now: Int64 = 1_800_000_000_000

    func open(_ sealed: [UInt8], _ channel: Envelope.Channel = .datagram, keys: [ClusterKey]? = nil,
              guardian: inout ReplayGuard, at time: Int64? = nil) -> Result<[UInt8], Envelope.OpenError> {
        do throws(Envelope.OpenError) {
            return .success(try Envelope.open(
                sealed, channel: channel, keys: keys ?? [key], replayGuard: &guardian, nowMillis: time ?? now))
        } catch {
            return .failure(error)
        }
    }

    func testSealedBytesOpenWithTheSameKey() {
        var guardian = ReplayGuard()
        let payload: [UInt8] = Array("ping from a".utf8)
        let sealed = Envelope.seal(payload, channel: .datagram, key: key, nowMillis: now)
        XCTAssertEqual(sealed.count, payload.count + Envelope.overhead)
        XCTAssertFalse(sealed.containsSubsequence(payload), "the payload travels in clear")
        XCTAssertEqual(open(sealed, guardian: &guardian, at: now + 5), .success(payload))
    }

    func testAnotherKeyCannotOpen() {
        var guardian = ReplayGuard()
        let sealed = Envelope.seal([1, 2, 3], channel: .datagram, key: key, nowMillis: now)
        XCTAssertEqual(open(sealed, keys: [ClusterKey.generate()], guardian: &guardian), .failure(.badKey))
    }

    func testAnyAlteredByteIsRejected() {
        let sealed = Envelope.seal(Array(repeating: 7, count: 40), channel: .stream, key: key, nowMillis: now)
        for index in [0, 1, 30, sealed.count - 1] {
            var guardian = ReplayGuard()
            var tampered = sealed
            tampered[index] ^= 0x01
            guard case .failure = open(tampered, .stream, guardian: &guardian) else {
                return XCTFail("a flipped bit at \(index) was accepted")
            }
        }
    }

    func testADatagramCannotBeReplayedAsAStreamFrame() {
        var guardian = ReplayGuard()
        let sealed = Envelope.seal([9], channel: .datagram, key: key, nowMillis: now)
        XCTAssertEqual(open(sealed, .stream, guardian: &guardian), .failure(.badKey))
    }

    func testAReplayedPacketIsRejected() {
        var guardian = ReplayGuard()
        let sealed = Envelope.seal([4, 2], channel: .datagram, key: key, nowMillis: now)
        XCTAssertEqual(open(sealed, guardian: &guardian), .success([4, 2]))
        XCTAssertEqual(open(sealed, guardian: &guardian, at: now + 1_000), .failure(.replayed))
    }

    func testAnOldPacketIsRejectedAfterTheWindow() {
        var guardian = ReplayGuard(windowMillis: 60_000)
        let sealed = Envelope.seal([4, 2], channel: .datagram, key: key, nowMillis: now)
        XCTAssertEqual(open(sealed, guardian: &guardian, at: now + 61_000), .failure(.outsideWindow))
    }

    func testEveryInstalledKeyIsTried() {
        var guardian = ReplayGuard()
        let old = ClusterKey.generate()
        let sealed = Envelope.seal([1], channel: .datagram, key: old, nowMillis: now)
        XCTAssertEqual(open(sealed, keys: [key, old], guardian: &guardian), .success([1]))
    }

    func testTruncatedOrForeignBytesAreMalformed() {
        var guardian = ReplayGuard()
        XCTAssertEqual(open([1, 2, 3], guardian: &guardian), .failure(.malformed))
        var wrongVersion = Envelope.seal([1], channel: .datagram, key: key, nowMillis: now)
        wrongVersion[0] = 9
        XCTAssertEqual(open(wrongVersion, guardian: &guardian), .failure(.unknownVersion(9)))
    }
}

final class ReplayGuardTests: XCTestCase {
    func testForgettingANonceRaisesTheFloorSoItCannotComeBack() {
        var guardian = ReplayGuard(windowMillis: 60_000, capacity: 2)
        let now: Int64 = 1_000_000
        XCTAssertEqual(guardian.check(nonce: [1], sentAtMillis: now, nowMillis: now), .fresh)
        XCTAssertEqual(guardian.check(nonce: [2], sentAtMillis: now + 1, nowMillis: now + 1), .fresh)
        XCTAssertEqual(guardian.check(nonce: [3], sentAtMillis: now + 2, nowMillis: now + 2), .fresh)
        XCTAssertEqual(guardian.rememberedCount, 2)
        // Nonce 1 was forgotten, but its time is now below the floor.
        XCTAssertEqual(guardian.check(nonce: [1], sentAtMillis: now, nowMillis: now + 3), .outsideWindow)
        XCTAssertEqual(guardian.check(nonce: [2], sentAtMillis: now + 1, nowMillis: now + 3), .replayed)
    }

    func testExpiredNoncesAreForgotten() {
        var guardian = ReplayGuard(windowMillis: 1_000, capacity: 100)
        for i in 0..<10 { _ = guardian.check(nonce: [UInt8(i)], sentAtMillis: 0, nowMillis: 0) }
        XCTAssertEqual(guardian.rememberedCount, 10)
        _ = guardian.check(nonce: [200], sentAtMillis: 5_000, nowMillis: 5_000)
        XCTAssertEqual(guardian.rememberedCount, 1)
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
