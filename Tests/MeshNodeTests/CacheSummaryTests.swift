import CacheRing
import Foundation
import Gossip
import Logging
import NIOPosix
import Proxy
import XCTest

@testable import MeshNode

/// The cache summary in the member's meta, which `meshctl status` shows as CACHE and HIT%.
final class CacheSummaryTests: XCTestCase {
    func testTheHitRateIsTheGatewaysHitsOverHitsAndMisses() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let settings = NodeShell.Settings(
            name: "w-1", bind: HostPort(host: "127.0.0.1", port: 0), advertise: HostPort(host: "127.0.0.1", port: 0),
            seeds: [], tags: ["env": "prod", "role": "worker"], profile: "local", keyringFile: nil)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let shell = try NodeShell(settings: settings, keyring: nil, loop: group.next(), metrics: NodeMetrics(), logger: logger)
        _ = try await shell.start()
        let cache = MeshCache(capacity: 1 << 20, name: "w-1", tags: settings.tags)
        CacheReporter(cache: cache, node: shell, registry: shell.metrics.registry, metaInterval: 1, outcomes: {
            ["news": CacheOutcomes(hits: 2, nearHits: 1, misses: 1, staleServed: 4), "shop": CacheOutcomes(hits: 1, bypass: 3)]
        }).start()
        let deadline = Date().addingTimeInterval(10)
        var summary: String?
        while Date() < deadline, summary == nil {
            summary = try await shell.loop.submit { shell.gossip.localMember.meta[MetaKey.cache] }.get()
            if summary == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        XCTAssertEqual(summary, #"{"keys":0,"bytes":0,"hit_rate":0.75}"#, "3 hits of 4 requests that were a hit or a miss")
        await shell.stop()
        try await group.shutdownGracefully()
    }
}
