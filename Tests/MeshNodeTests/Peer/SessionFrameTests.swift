import XCTest

import Gossip
@testable import MeshNode

final class SessionFrameTests: XCTestCase {
    func testFramesEncodeAndDecode() {
        for frame in [
            SessionFrame(token: 1, number: 0, kind: .request, id: 7, body: [1, 2, 3]),
            SessionFrame(token: .max, number: .max, kind: .reply, id: .max, body: []),
            SessionFrame(token: 5, number: 9, kind: .failed, id: 0, body: Array("no".utf8)),
            SessionFrame(token: 5, number: 9, kind: .busy, id: 3),
        ] {
            XCTAssertEqual(SessionFrame(frame.bytes), frame)
        }
        XCTAssertNil(SessionFrame([UInt8](repeating: 0, count: SessionFrame.headerBytes - 1)))
        var unknownKind = SessionFrame(token: 1, number: 0, kind: .request, id: 7).bytes
        unknownKind[16] = 9
        XCTAssertNil(SessionFrame(unknownKind))
        XCTAssertNil(SessionFrame(SessionFrame(token: 1, number: 0, kind: .busy, id: 7).bytes + [0]), "busy carries no body")
    }

    /// Random bytes decode to nothing or to a frame that encodes back to the same bytes.
    func testRandomBytesDecodeToNothingOrToThemselves() {
        var generator = SystemRandomNumberGenerator()
        var decoded = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count > 16, Bool.random(using: &generator) { bytes[16] = UInt8.random(in: 0...5, using: &generator) }
            if let frame = SessionFrame(bytes) {
                decoded += 1
                XCTAssertEqual(frame.bytes, bytes)
            }
        }
        XCTAssertGreaterThan(decoded, 1_000)
    }

    func testAFrameOpensOnceInOrderAndOnlyOnItsOwnSession() throws {
        let keys = LiveKeyring(Keyring(primary: try ClusterKey(bytes: [UInt8](repeating: 3, count: 32))))
        var asker = SessionCipher(keys: keys, ownToken: 10, peerToken: 20)
        var answerer = SessionCipher(keys: keys, ownToken: 20, peerToken: 10)
        var otherSession = SessionCipher(keys: keys, ownToken: 21, peerToken: 10)

        let first = asker.seal(.request, id: 1, body: [1])
        let second = asker.seal(.request, id: 2, body: [2])
        XCTAssertThrowsError(try answerer.open(second)) { error in
            XCTAssertEqual(error as? SessionCipher.Refusal, .outOfOrder(expected: 0, got: 1))
        }
        XCTAssertEqual(try answerer.open(first).body, [1])
        XCTAssertThrowsError(try answerer.open(first), "a replayed frame")
        XCTAssertEqual(try answerer.open(second).id, 2)
        XCTAssertThrowsError(try otherSession.open(first)) { error in
            XCTAssertEqual(error as? SessionCipher.Refusal, .wrongToken)
        }
        let reply = answerer.seal(.reply, id: 2, body: [4])
        XCTAssertEqual(try asker.open(reply), SessionFrame(token: 10, number: 0, kind: .reply, id: 2, body: [4]))

        // Sealed on the session channel: neither a stream frame nor a datagram opens as one, nor the reverse.
        let stream = keys.seal(SessionFrame(token: 20, number: 2, kind: .request, id: 3).bytes, channel: .stream)
        XCTAssertThrowsError(try answerer.open(stream)) { error in
            XCTAssertEqual(error as? SessionCipher.Refusal, .envelope(.badKey))
        }
        XCTAssertThrowsError(try keys.open(asker.seal(.request, id: 4), channel: .stream))
        let foreign = LiveKeyring(Keyring(primary: try ClusterKey(bytes: [UInt8](repeating: 4, count: 32))))
        var outsider = SessionCipher(keys: foreign, ownToken: 10, peerToken: 20)
        XCTAssertThrowsError(try answerer.open(outsider.seal(.request, id: 5)))
    }

    func testSessionOpeningsEncodeAndDecodeAsStreamRequests() {
        let opening = StreamRequest.openSession(SessionOpening(token: 0x0102_0304_0506_0708, asker: NodeAddress(host: "::1", port: 7946)))
        XCTAssertEqual(StreamRequest(opening.bytes), opening)
        XCTAssertNil(StreamRequest([6, 0, 0, 0, 0, 0, 0, 0, 1]), "no address")
        XCTAssertNil(StreamRequest([6, 0, 0, 0, 0, 0, 0, 0, 1] + Array("[1.2.3.4]:5".utf8)), "an address in another form than its own")
        let acceptance = SessionAcceptance(askerToken: 1, answererToken: .max)
        XCTAssertEqual(SessionAcceptance(acceptance.bytes), acceptance)
        XCTAssertNil(SessionAcceptance(acceptance.bytes + [0]))
    }
}
