import ManagerCore
import XCTest

@testable import MeshNode

final class StreamMessageTests: XCTestCase {
    func testRequestsEncodeAndDecode() {
        let digest = GatewayConfig.empty.digest
        for request in [
            StreamRequest.pushPull([1, 2, 3]),
            .pushPull([]),
            .fetchBundle(environment: "prod", minimumVersion: 7, have: nil),
            .fetchBundle(environment: "eu-west.prod_2", minimumVersion: .max, have: digest),
        ] {
            XCTAssertEqual(StreamRequest(request.bytes), request)
        }
        for reply in [BundleReply.bundle([9, 9]), .delta([1]), .notHeld] {
            XCTAssertEqual(BundleReply(reply.bytes), reply)
        }
        XCTAssertNil(StreamRequest([]))
        XCTAssertNil(StreamRequest([2, 0, 0, 0, 0, 0, 0, 0, 1, 0]), "an empty environment")
        XCTAssertNil(StreamRequest([2] + [UInt8](repeating: 0, count: 8) + [0] + Array("no/slash".utf8)))
        XCTAssertNil(BundleReply([1, 0]))
        XCTAssertNil(BundleReply([]))
    }

    /// Random bytes: the decoder answers nil, or a request that encodes back to the same bytes.
    func testRandomBytesDecodeToNothingOrToThemselves() {
        var generator = SystemRandomNumberGenerator()
        var decoded = 0
        for round in 0..<20_000 {
            let count = Int.random(in: 0...60, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, !bytes.isEmpty {
                // Mostly well-formed fetches, so the checks past the kind byte are reached.
                bytes[0] = 2
                if bytes.count > 9 { bytes[9] = UInt8.random(in: 0...1, using: &generator) }
                for index in bytes.indices.dropFirst(bytes.count > 42 ? 42 : 10) { bytes[index] = UInt8(ascii: "a") + bytes[index] % 26 }
            }
            if let request = StreamRequest(bytes) {
                decoded += 1
                XCTAssertEqual(request.bytes, bytes)
            }
            if let reply = BundleReply(bytes) {
                XCTAssertEqual(reply.bytes, bytes)
            }
        }
        XCTAssertGreaterThan(decoded, 1_000, "the random input never reached a decodable request")
    }
}
