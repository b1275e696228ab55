import CacheRing
import Gossip
import Logging
import NIOCore
import NIOPosix
import XCTest

@testable import MeshNode

/// The catch-up exchange between two real nodes in this process, over loopback: busts one node
/// applied without any rumor reach the other through `bustSync` alone; when the peer's log no
/// longer holds some of them, the node busts everything and says so.
final class BustCatchUpTests: XCTestCase {
    struct Node: Sendable {
        let shell: NodeShell
        let agent: CacheBustAgent
        let cache: MeshCache
        let metrics: BustMetrics
    }

    var group: MultiThreadedEventLoopGroup!
    var nodes: [Node] = []

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDown() async throws {
        for node in nodes { await node.shell.stop() }
        try await group.shutdownGracefully()
    }

    func start(_ name: String, seeds: [SeedSpec], logCapacity: Int = 1024) async throws -> (Node, Int) {
        let settings = NodeShell.Settings(
            name: name, bind: HostPort(host: "127.0.0.1", port: 0), advertise: HostPort(host: "127.0.0.1", port: 0),
            seeds: seeds, tags: ["env": "prod", "role": "worker"], profile: "local", keyringFile: nil)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let shell = try NodeShell(settings: settings, keyring: nil, loop: group.next(), metrics: NodeMetrics(), logger: logger)
        let cache = MeshCache(capacity: 1 << 20, name: name, tags: settings.tags)
        let metrics = BustMetrics(registry: shell.metrics.registry)
        var agentSettings = CacheBustAgent.Settings(environment: "prod")
        agentSettings.logCapacity = logCapacity
        let agent = CacheBustAgent(settings: agentSettings, node: shell, cache: cache, metrics: metrics)
        try await agent.start()
        let port = try await shell.start()
        let node = Node(shell: shell, agent: agent, cache: cache, metrics: metrics)
        nodes.append(node)
        return (node, port)
    }

    func onLoop<T: Sendable>(_ node: Node, _ body: @escaping @Sendable () -> T) async throws -> T {
        try await node.shell.loop.submit(body).get()
    }

    func until(_ what: String, within seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("timed out waiting for \(what)")
        throw CancellationError()
    }

    func catchUps(_ node: Node, _ outcome: String) -> Double? {
        let line = "meshgate_cache_bust_catchups_total{outcome=\"\(outcome)\"} "
        return node.shell.metrics.render().split(separator: "\n").first { $0.hasPrefix(line) }
            .flatMap { Double($0.dropFirst(line.count)) }
    }

    static func bust(_ sequence: UInt64, _ tag: String) -> CacheBust {
        CacheBust(environment: "prod", id: BustID(origin: "elsewhere#1", sequence: sequence), invalidation: .tag(tag))
    }

    func testMissedBustsComeFromAPeersLogOrElseEverythingIsBusted() async throws {
        let (ahead, port) = try await start("ahead", seeds: [], logCapacity: 2)
        let (behind, _) = try await start("behind", seeds: [.address(HostPort(host: "127.0.0.1", port: port))])
        try await until("the two nodes see each other and have caught up once") {
            try await onLoop(behind) { behind.agent.synced && behind.agent.peers().count == 1 }
        }
        let aheadMember = try await onLoop(behind) { behind.agent.peers()[0] }

        // Applied on one node only, with no rumor: the other gets them through the exchange.
        _ = try await onLoop(ahead) { [1, 2].map { ahead.agent.apply(Self.bust($0, "t\($0)"), source: "test") } }
        try await onLoop(behind) { behind.agent.sync(with: aheadMember) }
        try await until("the node behind replayed both") {
            try await onLoop(behind) { behind.agent.ledger.heads == ["elsewhere#1": 2] }
        }
        XCTAssertEqual(catchUps(behind, "replayed"), 1)
        XCTAssertEqual(catchUps(behind, "all"), 0)
        // The store's work runs on the agent's queue, after the ledger admitted the busts.
        try await until("the store applied both") { behind.cache.store.figures.epoch == 2 }

        // Three more; the log of the node ahead holds the last two only.
        _ = try await onLoop(ahead) { (3...5).map { ahead.agent.apply(Self.bust($0, "t\($0)"), source: "test") } }
        try await onLoop(behind) { behind.agent.sync(with: aheadMember) }
        try await until("the node behind busted everything for the one no log holds") {
            catchUps(behind, "all") == 1
        }
        let heads = try await onLoop(behind) { behind.agent.ledger.heads }
        XCTAssertEqual(heads, ["elsewhere#1": 5])
        try await until("the bust of everything reached the store") { behind.cache.store.figures.epoch == 5 }
        let applied = try await onLoop(behind) { behind.agent.ledger.applied }
        XCTAssertEqual(applied, 5, "1 and 2, then 4 and 5 replayed, and the bust of everything in place of 3")

        // A node asked by a peer that has applied more asks that peer back.
        _ = try await onLoop(behind) { behind.agent.apply(Self.bust(6, "t6"), source: "test") }
        try await onLoop(behind) { behind.agent.sync(with: aheadMember) }
        try await until("the node asked took the asker's newer bust") {
            try await onLoop(ahead) { ahead.agent.ledger.heads == ["elsewhere#1": 6] }
        }
    }

    /// A node asks joiners for busts only until it has caught up once, and after that only a
    /// member that comes back from the dead or refutes a suspicion: a mass start of N nodes
    /// must not make N² catch-up exchanges.
    func testOnlyACatchingUpNodeOrAReturningMemberStartsACatchUpOnMembershipNews() async throws {
        let (node, _) = try await start("watcher", seeds: [])
        @Sendable func member(_ name: String, uid: UInt64 = 1) -> Member {
            Member(id: NodeID(name: name, uid: uid), address: NodeAddress(host: "127.0.0.1", port: 1), incarnation: 0,
                   state: .alive, tags: ["env": "prod", "role": "worker"])
        }
        let asked: [Int] = try await onLoop(node) {
            var asked: [Int] = []
            let agent = node.agent
            agent.observed(.joined(member("first")))
            asked.append(agent.syncsInFlight)  // not caught up yet: asks
            agent.synced = true
            agent.observed(.joined(member("fresh")))
            asked.append(agent.syncsInFlight)  // a new process: not asked
            agent.observed(.failed(member("cut-off")))
            agent.observed(.joined(member("cut-off")))
            asked.append(agent.syncsInFlight)  // back from the dead: asked
            agent.observed(.failed(member("restarted", uid: 1)))
            agent.observed(.joined(member("restarted", uid: 2)))
            asked.append(agent.syncsInFlight)  // a new process under the old name: not asked
            agent.observed(.refuted(member("suspected")))
            asked.append(agent.syncsInFlight)  // refuted a suspicion: asked
            return asked
        }
        XCTAssertEqual(asked, [1, 1, 2, 2, 3])
    }
}
