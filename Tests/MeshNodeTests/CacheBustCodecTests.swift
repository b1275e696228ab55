import CacheRing
import Proxy
import XCTest

@testable import MeshNode

/// The bust's wire forms: each encodes and decodes to itself, and the decoders refuse
/// everything but their encoder's own output.
final class CacheBustCodecTests: XCTestCase {
    static var figuresWithRoutes: CacheFigures {
        var figures = CacheFigures(node: "w-2", holdsCache: true)
        figures.store.routes = ["a": RouteShare(entries: 1, bytes: 500), "b": RouteShare(entries: 3, bytes: 1500)]
        figures.outcomes = ["a": CacheOutcomes(hits: 4, misses: 1), "c": CacheOutcomes(bypass: 2)]
        return figures
    }

    static let samples: [CacheBust] = [
        CacheBust(environment: "prod", id: BustID(origin: "w-1#1f", sequence: 1), invalidation: .key("GET example.com/a?b=1\naccept: x")),
        CacheBust(environment: "prod", id: BustID(origin: "w-1#1f", sequence: 300), invalidation: .resource("GET example.com/a")),
        CacheBust(environment: "eu.prod", id: BustID(origin: "n", sequence: .max), invalidation: .prefix("/news/")),
        CacheBust(environment: "dev", id: BustID(origin: "m#0", sequence: 2), invalidation: .tag("section-3")),
        CacheBust(environment: "dev", id: BustID(origin: "m#0", sequence: 3), invalidation: .route("orders")),
        CacheBust(environment: "dev", id: BustID(origin: "m#0", sequence: 4), invalidation: .path("/a/b")),
        CacheBust(environment: "default", id: BustID(origin: "é#1", sequence: 5), invalidation: .all),
    ]

    func testBustsEncodeAndDecode() {
        for bust in Self.samples {
            XCTAssertEqual(CacheBust(bytes: bust.bytes), bust)
            XCTAssertEqual(CacheBust(rumor: bust.rumor), bust)
            XCTAssertEqual(StreamRequest(StreamRequest.bust(bust).bytes), .bust(bust))
        }
        let all = Self.samples[6]
        XCTAssertEqual(all.rumor.subject, "meshgate.bust.default.é#1/5")
        XCTAssertEqual(all.rumor.version, 5)
        XCTAssertTrue(all.rumor.urgent)
    }

    func testMalformedBustsAreRefused() {
        let bust = Self.samples[0]
        XCTAssertNil(CacheBust(bytes: []))
        XCTAssertNil(CacheBust(bytes: bust.bytes + [0]), "a byte left over")
        XCTAssertNil(CacheBust(bytes: Array(bust.bytes.dropLast())), "truncated")
        var format = bust.bytes
        format[0] = 2
        XCTAssertNil(CacheBust(bytes: format), "an unknown format")
        let zero = CacheBust(environment: "prod", id: BustID(origin: "a", sequence: 1), invalidation: .all).bytes
        var sequenceZero = zero
        sequenceZero[sequenceZero.count - 2] = 0
        XCTAssertNil(CacheBust(bytes: sequenceZero), "sequence 0")
        var kind = zero
        kind[kind.count - 1] = 8
        XCTAssertNil(CacheBust(bytes: kind), "an unknown kind")
        XCTAssertNil(CacheBust(bytes: CacheBust(environment: "prod", id: BustID(origin: "a", sequence: 1), invalidation: .tag("")).bytes),
                     "an empty value")
        XCTAssertNil(CacheBust(bytes: CacheBust(environment: "a/b", id: BustID(origin: "a", sequence: 1), invalidation: .all).bytes),
                     "not an environment name")
        let long = CacheBust(environment: "prod", id: BustID(origin: "a", sequence: 1),
                             invalidation: .prefix("/" + String(repeating: "x", count: CacheBust.maxValueBytes)))
        XCTAssertNil(CacheBust(bytes: long.bytes), "a value over 1,024 bytes")
        XCTAssertFalse(CacheBust.isSendable(long.invalidation))
        var rumor = bust.rumor
        rumor.version += 1
        XCTAssertNil(CacheBust(rumor: rumor), "a rumor whose version is not the sequence")
        rumor = bust.rumor
        rumor.subject = CacheBust.rumorPrefix(environment: "dev") + bust.id.description
        XCTAssertNil(CacheBust(rumor: rumor), "a rumor whose subject names another environment")
    }

    func testRepliesEncodeAndDecode() {
        for ack in [BustAck(outcome: .applied, removed: 0), BustAck(outcome: .alreadyApplied, removed: 0),
                    BustAck(outcome: .applied, removed: 1_000_000), BustAck(outcome: .otherEnvironment, removed: 0)] {
            XCTAssertEqual(BustAck(bytes: ack.bytes), ack)
        }
        XCTAssertNil(BustAck(bytes: [3, 0]))
        XCTAssertNil(BustAck(bytes: [0, 0x80, 0]), "a varint longer than its value")
        let sync = BustSyncRequest(environment: "prod", asker: "w-2", heads: ["a#1": 3, "b#2": 1])
        XCTAssertEqual(BustSyncRequest(bytes: sync.bytes), sync)
        XCTAssertEqual(StreamRequest(StreamRequest.bustSync(sync).bytes), .bustSync(sync))
        let reply = BustSyncReply(heads: ["a#1": 3], busts: Array(Self.samples.prefix(3)))
        XCTAssertEqual(BustSyncReply(bytes: reply.bytes), reply)
        XCTAssertEqual(BustSyncReply(bytes: BustSyncReply(heads: [:], busts: []).bytes), BustSyncReply(heads: [:], busts: []))
        var figures = CacheFigures(node: "w-1", holdsCache: true)
        (figures.store.entries, figures.store.bytes, figures.store.capacity, figures.store.stats.hits, figures.store.epoch,
         figures.bustsApplied) = (3, 4096, 1 << 28, 9, 4, 2)
        XCTAssertEqual(CacheFigures(encoded: figures.encoded), figures)
        figures.store.routes = ["news": RouteShare(entries: 2, bytes: 900, evicted: 7, invalidated: 1), "shop": RouteShare(invalidated: 3)]
        XCTAssertEqual(CacheFigures(encoded: figures.encoded), figures, "each route's figures travel")
        figures.outcomes = ["news": CacheOutcomes(hits: 300, nearHits: 20, misses: 9, staleServed: 2, revalidated: 1, bypass: 4, coalesced: 7),
                            "search": CacheOutcomes(misses: 1)]
        XCTAssertEqual(CacheFigures(encoded: figures.encoded), figures, "each route's request outcomes travel")
        XCTAssertNil(CacheFigures(encoded: [2] + figures.encoded.dropFirst()), "only this format is read")
        XCTAssertEqual(StreamRequest(StreamRequest.cacheStats.bytes), .cacheStats)
        XCTAssertNil(StreamRequest([StreamRequest.Kind.cacheStats.rawValue, 0]))
        XCTAssertNil(StreamRequest([StreamRequest.Kind.bust.rawValue]))
    }

    /// Random bytes, and random changes of genuine encodings: each decoder answers nil or a
    /// value that encodes back to exactly the bytes it read.
    func testRandomBytesDecodeToNothingOrToThemselves() {
        var generator = SystemRandomNumberGenerator()
        var decoded = (busts: 0, syncs: 0, replies: 0, acks: 0, figures: 0)
        let genuine: [[UInt8]] = Self.samples.map(\.bytes)
            + [BustSyncRequest(environment: "prod", asker: "w", heads: ["a#1": 3]).bytes,
               BustSyncReply(heads: ["a#1": 3], busts: [Self.samples[3]]).bytes,
               CacheFigures(node: "w-1", holdsCache: true).encoded, Self.figuresWithRoutes.encoded,
               BustAck(outcome: .applied, removed: 5).bytes]
        for round in 0..<40_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = genuine[round / 2 % genuine.count]
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    switch Int.random(in: 0...2, using: &generator) {
                    case 0 where !bytes.isEmpty: bytes[Int.random(in: bytes.indices, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                    case 1 where !bytes.isEmpty: bytes.remove(at: Int.random(in: bytes.indices, using: &generator))
                    default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
                    }
                }
            } else {
                bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if !bytes.isEmpty { bytes[0] = 1 }
            }
            if let bust = CacheBust(bytes: bytes) {
                decoded.busts += 1
                XCTAssertEqual(bust.bytes, bytes)
            }
            if let sync = BustSyncRequest(bytes: bytes) {
                decoded.syncs += 1
                XCTAssertEqual(sync.bytes, bytes)
            }
            if let reply = BustSyncReply(bytes: bytes) {
                decoded.replies += 1
                XCTAssertEqual(reply.bytes, bytes)
            }
            if let ack = BustAck(bytes: bytes) {
                decoded.acks += 1
                XCTAssertEqual(ack.bytes, bytes)
            }
            if let figures = CacheFigures(encoded: bytes) {
                decoded.figures += 1
                XCTAssertEqual(figures.encoded, bytes)
            }
            if let request = StreamRequest(bytes) {
                XCTAssertEqual(request.bytes, bytes)
            }
        }
        XCTAssertGreaterThan(decoded.busts, 100, "random changes never left a bust that decodes")
        XCTAssertGreaterThan(decoded.syncs + decoded.replies, 100)
        XCTAssertGreaterThan(decoded.figures, 10)
    }
}
