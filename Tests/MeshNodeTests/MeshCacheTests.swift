import CacheRing
import Gossip
import Logging
import NIOCore
import NIOPosix
import Proxy
import Synchronization
import XCTest

@testable import MeshNode

/// The mesh cache's rules between nodes (who answers, who fills, who waits), with the nodes'
/// requests handed straight to each other's `serve` in one process; the sockets that carry
/// them between processes are tested with the node.
final class MeshCacheTests: XCTestCase {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var loop: any EventLoop { group.next() }

    override func tearDown() async throws {
        try await group.shutdownGracefully()
    }

    /// Hands each request to the named node's `serve`; a node in `down` does not answer.
    private final class Links: CachePeers {
        let nodes = Mutex<[String: MeshCache]>([:])
        let down = Mutex<Set<String>>([])
        let sent = Mutex<[(to: String, kind: String)]>([])
        let loop: any EventLoop

        init(loop: any EventLoop) { self.loop = loop }

        func request(_ body: [UInt8], to member: String, deadline: NIODeadline) -> EventLoopFuture<[UInt8]> {
            let kind = (try? CachePeerRequest(body)).map { "\($0)".prefix { $0 != "(" } }.map(String.init) ?? "?"
            sent.withLock { $0.append((member, kind)) }
            guard !down.withLock({ $0.contains(member) }), let node = nodes.withLock({ $0[member] }) else {
                return loop.makeFailedFuture(StreamUnavailable(address: NodeAddress(host: member, port: 0)))
            }
            return node.serve(body, on: loop)
        }
    }

    private func mesh(_ names: [String]) -> (Links, [String: MeshCache]) {
        let links = Links(loop: loop)
        var caches: [String: MeshCache] = [:]
        for name in names {
            let cache = MeshCache(capacity: 1 << 20, name: name, tags: ["env": "prod"], logger: Logger(label: "test"))
            for other in names where other != name {
                cache.apply(.joined(Member(id: NodeID(name: other, uid: 1), address: NodeAddress(host: "127.0.0.1", port: 1),
                                           incarnation: 1, state: .alive, tags: ["env": "prod"])))
            }
            cache.connect(links)
            caches[name] = cache
        }
        links.nodes.withLock { $0 = caches }
        return (links, caches)
    }

    private func key(ownedBy owner: String, in cache: MeshCache) -> CacheKey {
        for i in 0... {
            let key = CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: "shop", target: "/p/\(i)"))
            if cache.owners(of: key.text).first == owner { return key }
        }
        fatalError()
    }

    private func entry(_ key: CacheKey, body: String) -> StoredEntry {
        StoredEntry(key: key, varyNames: [], request: [:], route: "r", tags: ["t"], response: CacheResponse(status: 200),
                    body: Array(body.utf8), freshness: Freshness(lifetime: 60, initialAge: 0, responseTime: .current))
    }

    private func settle(_ lookup: CacheLookup) throws -> CacheLookup {
        guard case .ask(let answer) = lookup else { return lookup }
        return try answer.wait()
    }

    func testAMissAtTheOwnerMakesTheAskerLeadAndItsFillIsStoredAtTheOwnerAndItsBackup() throws {
        let (links, caches) = mesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        guard case .lead(let fill) = try settle(caches["a"]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
        else { return XCTFail("a miss makes the asker lead") }
        fill.end(entry(key, body: "from a"), now: .current)
        try loop.submit {}.wait()
        XCTAssertEqual(caches["b"]!.store.figures.entries, 1, "the owner stores the leader's fill")
        let backup = caches["a"]!.owners(of: key.text)[1]
        XCTAssertEqual(caches[backup]!.store.figures.entries, 1, "the owner copies it to the backup")
        guard case .hit(let hit) = try settle(caches["c"]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
        else { return XCTFail("another node gets the owner's entry") }
        XCTAssertEqual(hit.body, Array("from a".utf8))
        let asked = links.sent.withLock { $0.count }
        guard case .hit = caches["c"]!.lookup(key, request: [:], route: "r", now: .current, on: loop) else {
            return XCTFail("the near-cache answers the next request")
        }
        XCTAssertEqual(links.sent.withLock { $0.count }, asked, "without asking the owner again")
        caches["c"]!.invalidate(.tag("t"))
        guard case .ask = caches["c"]!.lookup(key, request: [:], route: "r", now: .current, on: loop) else {
            return XCTFail("a bust drops the near copy")
        }
    }

    func testConcurrentAskersOnOtherNodesWaitForOneFill() throws {
        let (_, caches) = mesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        guard case .lead(let fill) = try settle(caches["a"]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
        else { return XCTFail() }
        guard case .ask(let waiting) = caches["c"]!.lookup(key, request: [:], route: "r", now: .current, on: loop)
        else { return XCTFail() }
        guard case .wait = caches["b"]!.lookup(key, request: [:], route: "r", now: .current, on: loop)
        else { return XCTFail("the owner's own request waits for the same fill") }
        fill.end(entry(key, body: "one fill"), now: .current)
        guard case .hit(let got) = try waiting.wait() else { return XCTFail("the waiting asker gets the fill") }
        XCTAssertEqual(got.body, Array("one fill".utf8))
    }

    func testAnAbandonedFillLetsTheWaitersGoOn() throws {
        let (_, caches) = mesh(["a", "b"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        var lead = try settle(caches["a"]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
        guard case .lead = lead else { return XCTFail() }
        guard case .wait(let waiting) = caches["b"]!.lookup(key, request: [:], route: "r", now: .current, on: loop)
        else { return XCTFail() }
        lead = .bypass // the leader's request is gone without an answer
        XCTAssertNil(try waiting.wait(), "nothing stored: the waiter goes to the origin itself")
    }

    func testAnUnreachableOwnerFailsTheAskAndItsBackupAnswersOnceItIsSuspect() throws {
        let (links, caches) = mesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        let backup = caches["a"]!.owners(of: key.text)[1]
        caches[backup]!.store.store(entry(key, body: "copy"), ticket: caches[backup]!.store.beginFill(now: .current), now: .current)
        links.down.withLock { _ = $0.insert("b") }
        XCTAssertThrowsError(try settle(caches["a"]!.lookup(key, request: [:], route: "r", now: .current, on: loop)))
        let suspect = Member(id: NodeID(name: "b", uid: 1), address: NodeAddress(host: "127.0.0.1", port: 1),
                             incarnation: 1, state: .suspect, tags: ["env": "prod"])
        for name in ["a", "c"] { caches[name]!.apply(.suspected(suspect)) }
        let asker = backup == "a" ? "c" : "a"
        guard case .hit(let copy) = try settle(caches[asker]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
        else { return XCTFail("the backup answers while the primary is suspect") }
        XCTAssertEqual(copy.body, Array("copy".utf8))
    }
}
