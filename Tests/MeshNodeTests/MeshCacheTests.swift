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

    /// Hands each request to the named node's `serve`; a node in `down` does not answer. A
    /// request or reply over `maxBody` fails as peer sessions fail it.
    private final class Links: CachePeers {
        let nodes = Mutex<[String: MeshCache]>([:])
        let down = Mutex<Set<String>>([])
        let sent = Mutex<[(to: String, kind: String)]>([])
        let loop: any EventLoop
        let maxBody: Int

        init(loop: any EventLoop, maxBody: Int) {
            self.loop = loop
            self.maxBody = maxBody
        }

        func request(_ body: [UInt8], to member: String, deadline: NIODeadline) -> EventLoopFuture<[UInt8]> {
            let kind = (try? CachePeerRequest(body)).map { "\($0)".prefix { $0 != "(" } }.map(String.init) ?? "?"
            sent.withLock { $0.append((member, kind)) }
            guard body.count <= maxBody else { return loop.makeFailedFuture(PeerLinkError.frameTooLarge(bytes: body.count, limit: maxBody)) }
            guard !down.withLock({ $0.contains(member) }), let node = nodes.withLock({ $0[member] }) else {
                return loop.makeFailedFuture(PeerLinkError.closed)
            }
            return node.serve(body, on: loop).flatMapThrowing { [maxBody] reply in
                guard reply.count <= maxBody else { throw PeerLinkError.peerFailed("reply exceeds the session frame limit") }
                return reply
            }
        }
    }

    private func mesh(_ names: [String], settings: MeshCache.Settings = MeshCache.Settings()) -> (Links, [String: MeshCache]) {
        let links = Links(loop: loop, maxBody: settings.maxPeerBodyBytes)
        var caches: [String: MeshCache] = [:]
        for name in names {
            let cache = MeshCache(capacity: 1 << 20, name: name, tags: ["env": "prod"], settings: settings)
            for other in names where other != name {
                cache.apply(.joined(Member(id: NodeID(name: other, uid: 1), address: NodeAddress(host: "127.0.0.1", port: 1),
                                           incarnation: 1, state: .alive, tags: ["env": "prod"])))
            }
            cache.connect(links, loop: loop)
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
        guard case .near = caches["c"]!.lookup(key, request: [:], route: "r", now: .current, on: loop) else {
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

    func testAnUnreachableOwnerIsPassedOverForItsBackup() throws {
        let (links, caches) = mesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        let backup = caches["a"]!.owners(of: key.text)[1]
        caches[backup]!.store.store(entry(key, body: "copy"), ticket: caches[backup]!.store.beginFill(now: .current), now: .current)
        links.down.withLock { _ = $0.insert("b") }
        for asker in ["a", "c"] {
            guard case .hit(let copy) = try settle(caches[asker]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
            else { return XCTFail("\(asker): the backup answers when the primary cannot be asked") }
            XCTAssertEqual(copy.body, Array("copy".utf8))
        }
        let asker = backup == "a" ? "c" : "a"
        links.down.withLock { _ = $0.insert(backup) }
        caches[asker]!.invalidate(.all)
        XCTAssertThrowsError(try settle(caches[asker]!.lookup(key, request: [:], route: "r", now: .current, on: loop)),
                             "nobody to ask: the request goes to the origin without the cache")
        let suspect = Member(id: NodeID(name: "b", uid: 1), address: NodeAddress(host: "127.0.0.1", port: 1),
                             incarnation: 1, state: .suspect, tags: ["env": "prod"])
        caches[asker]!.apply(.suspected(suspect))
        XCTAssertEqual(caches[asker]!.owners(of: key.text), [backup, "b"], "a suspect primary is asked last")
    }

    /// A mesh whose session frames carry 4 KiB: the small entries go between nodes, the large do not.
    private func smallFramedMesh(_ names: [String]) -> (Links, [String: MeshCache]) {
        var settings = MeshCache.Settings()
        settings.maxPeerBodyBytes = 4096
        return mesh(names, settings: settings)
    }

    private let large = String(repeating: "x", count: 5000)

    func testAnEntryTooLargeForAFrameIsAnsweredAsAMissAndCounted() throws {
        let (links, caches) = smallFramedMesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        for owner in caches["a"]!.owners(of: key.text) {
            caches[owner]!.store.store(entry(key, body: large), ticket: caches[owner]!.store.beginFill(now: .current), now: .current)
        }
        let asker = caches["a"]!.owners(of: key.text).contains("a") ? "c" : "a"
        guard case .bypass = try settle(caches[asker]!.lookup(key, request: [:], route: "r", now: .current, on: loop)) else {
            return XCTFail("the owner answers a miss: the asker goes to the origin")
        }
        XCTAssertEqual(links.sent.withLock { $0.count }, 1, "one question, answered; no failure sent the asker to the backup")
        XCTAssertEqual(caches["b"]!.peerBodyCap.skipped, 1)
    }

    func testAFillTooLargeForAFrameEndsTheOwnersFillWithNothingSoItsWaitersGoOn() throws {
        let (_, caches) = smallFramedMesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        guard case .lead(let fill) = try settle(caches["a"]!.lookup(key, request: [:], route: "r", now: .current, on: loop))
        else { return XCTFail() }
        guard case .ask(let waiting) = caches["c"]!.lookup(key, request: [:], route: "r", now: .current, on: loop)
        else { return XCTFail() }
        let goesToTheOrigin = Mutex(false)
        waiting.whenSuccess { lookup in
            if case .bypass = lookup { goesToTheOrigin.withLock { $0 = true } }
        }
        fill.end(entry(key, body: large), now: .current)
        try loop.submit {}.wait()
        XCTAssertTrue(goesToTheOrigin.withLock { $0 }, "the waiter is answered at once, not when the owner's lease runs out")
        XCTAssertEqual(caches["b"]!.store.figures.entries, 0)
        XCTAssertEqual(caches["a"]!.peerBodyCap.skipped, 1)
    }

    func testAnEntryTooLargeForAFrameIsNotCopiedToTheBackupNorHandedOff() async throws {
        let (links, caches) = smallFramedMesh(["a", "b", "c"])
        let key = key(ownedBy: "b", in: caches["a"]!)
        guard case .lead(let fill) = caches["b"]!.lookup(key, request: [:], route: "r", now: .current, on: loop)
        else { return XCTFail("the owner's own miss leads") }
        fill.end(entry(key, body: large), now: .current)
        try await loop.submit {}.get()
        XCTAssertEqual(caches["b"]!.store.figures.entries, 1, "the owner stores it")
        XCTAssertEqual(links.sent.withLock { $0.count }, 0, "no copy goes to the backup")

        let result = await caches["b"]!.handOffBeforeLeaving(until: .now + .seconds(10))
        XCTAssertEqual(result.left, 0)
        XCTAssertEqual(links.sent.withLock { $0.count }, 0, "nor to its next owner when b leaves")
        XCTAssertEqual(caches["b"]!.peerBodyCap.skipped, 2)
    }

    private func member(_ name: String) -> Member {
        Member(id: NodeID(name: name, uid: 1), address: NodeAddress(host: "127.0.0.1", port: 1), incarnation: 1,
               state: .alive, tags: ["env": "prod"])
    }

    /// Fills each node with the entries of the keys it owns (primary and backup), as the mesh
    /// would have stored and copied them.
    private func fill(_ caches: [String: MeshCache], keys: Int) -> [CacheKey] {
        let keys = (0..<keys).map { CacheKeyTemplate.standard.key(for: CacheRequest(method: "GET", host: "shop", target: "/k/\($0)")) }
        for key in keys {
            for owner in caches.values.first!.owners(of: key.text) {
                let store = caches[owner]!.store
                store.store(entry(key, body: key.text), ticket: store.beginFill(now: .current), now: .current)
            }
        }
        return keys
    }

    private func waitForHandoff(_ caches: [String: MeshCache]) async throws {
        for _ in 0..<500 where caches.values.contains(where: { $0.handoff.pending > 0 }) {
            try await loop.submit {}.get()
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(caches.values.map(\.handoff.pending).reduce(0, +), 0)
    }

    func testAJoiningNodeIsSentExactlyTheKeysItNowOwns() async throws {
        var (links, caches) = mesh(["a", "b", "c"])
        let keys = fill(caches, keys: 600)
        let d = MeshCache(capacity: 1 << 20, name: "d", tags: ["env": "prod"])
        for name in ["a", "b", "c"] { d.apply(.joined(member(name))) }
        d.connect(links, loop: loop)
        caches["d"] = d
        links.nodes.withLock { $0["d"] = d }
        for name in ["a", "b", "c"] { caches[name]!.apply(.joined(member("d"))) }
        try await waitForHandoff(caches)
        let owned = keys.filter { d.owners(of: $0.text).contains("d") }
        XCTAssertGreaterThan(owned.count, 200)
        XCTAssertEqual(Set(d.store.heldKeys()), Set(owned.map(\.text)), "d holds what it owns, nothing else")
        XCTAssertEqual(links.sent.withLock { $0.filter { $0.to == "d" }.count }, owned.count, "each key is sent once")
    }

    func testALeavingNodeSendsItsKeysToTheirNewOwnersBeforeItGoes() async throws {
        let (links, caches) = mesh(["a", "b", "c", "d"])
        let keys = fill(caches, keys: 600)
        let result = await caches["b"]!.handOffBeforeLeaving(until: .now + .seconds(10))
        XCTAssertEqual(result.left, 0)
        XCTAssertGreaterThan(result.sent, 0)
        // The others see it leave: where it was the backup, the primary fills the new one.
        var left = member("b")
        left.state = .left
        for name in ["a", "c", "d"] { caches[name]!.apply(.left(left)) }
        try await waitForHandoff(caches)
        let after = KeyOwnership(members: ["a", "c", "d"])
        for key in keys {
            for owner in after.owners(of: key.text) {
                XCTAssertEqual(caches[owner]!.store.variants(of: key.text).count, 1, "\(key) at \(owner)")
            }
        }
        XCTAssertTrue(links.sent.withLock { $0.allSatisfy { $0.kind == "replicate" } })
        XCTAssertFalse(links.sent.withLock { $0.contains { $0.to == "b" } }, "nothing is sent to the node that left")
    }
}
