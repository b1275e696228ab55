import Gossip
import XCTest

@testable import CacheRing

final class CachePeerMessageTests: XCTestCase {
    private func entry(body: [UInt8] = Array("hello".utf8)) -> StoredEntry {
        let key = CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: "shop.example", target: "/p/1?x=2"))
        return StoredEntry(
            key: key, varyNames: ["accept-encoding"], request: ["Accept-Encoding": "gzip"], route: "products",
            tags: ["p-1", "catalog"],
            response: CacheResponse(status: 200, headers: ["Content-Type": "text/plain", "ETag": "\"1\""]),
            body: body,
            freshness: Freshness(lifetime: 300, initialAge: -3, responseTime: WallTime(seconds: 1_800_000_000),
                                 revalidatesAlways: true, forbidsStale: false, staleWhileRevalidate: 30, staleIfError: 600))
    }

    func testEveryMessageDecodesToWhatWasEncoded() throws {
        let stored = entry()
        let requests: [CachePeerRequest] = [
            .lookup(key: stored.key, request: ["Accept-Encoding": "gzip", "Cookie": String(repeating: "c", count: 4000)]),
            .fill(key: stored.key, epoch: 41, entry: stored),
            .fill(key: stored.key, epoch: 0, entry: nil),
            .replicate(entry(body: Array(repeating: 7, count: 100_000))),
        ]
        for request in requests {
            let decoded = try CachePeerRequest(request.bytes)
            XCTAssertEqual(decoded.bytes, request.bytes)
        }
        guard case .fill(_, 41, let back?) = try CachePeerRequest(requests[1].bytes) else { return XCTFail() }
        XCTAssertEqual(back.variant, stored.variant)
        XCTAssertEqual(back.tags, ["p-1", "catalog"])
        XCTAssertEqual(back.freshness, stored.freshness)
        XCTAssertEqual(back.response, stored.response)
        XCTAssertEqual(back.body, stored.body)
        for reply in [CachePeerReply.hit(stored), .lead(epoch: 9), .miss, .done] {
            XCTAssertEqual(try CachePeerReply(reply.bytes).bytes, reply.bytes)
        }
    }

    func testTruncatedAndTrailingBytesAreRefused() {
        let bytes = CachePeerRequest.fill(key: entry().key, epoch: 3, entry: entry()).bytes
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            XCTAssertThrowsError(try CachePeerRequest(Array(bytes.prefix(cut))), "cut at \(cut)")
        }
        XCTAssertThrowsError(try CachePeerRequest(bytes + [0]))
        XCTAssertThrowsError(try CachePeerReply([9]))
        XCTAssertThrowsError(try CachePeerReply([]))
    }

    /// Random bytes, and valid messages with random bytes changed: each either fails to decode
    /// or decodes to a message that encodes back to exactly those bytes.
    func testRandomInputIsRefusedOrReadExactly() {
        var random = SplitMix64(seed: 7)
        let valid = [CachePeerRequest.lookup(key: entry().key, request: ["A": "b"]).bytes,
                     CachePeerRequest.fill(key: entry().key, epoch: 5, entry: entry()).bytes,
                     CachePeerReply.hit(entry()).bytes]
        var decoded = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = valid[round % valid.count]
                for _ in 0..<1 + Int(random.next() % 3) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            if let request = try? CachePeerRequest(bytes) {
                XCTAssertEqual(request.bytes, bytes)
                decoded += 1
            }
            if let reply = try? CachePeerReply(bytes) {
                XCTAssertEqual(reply.bytes, bytes)
                decoded += 1
            }
        }
        XCTAssertGreaterThan(decoded, 100, "changed valid messages often still decode, and must read exactly")
    }
}
