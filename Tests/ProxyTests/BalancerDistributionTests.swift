import Foundation
import NIOCore
import NIOPosix
import Synchronization
import XCTest

@testable import Proxy

/// How balancers spread real traffic: least connections under concurrency (a slow target
/// holding requests open gets no more of them), consistent hashing on a cookie and on the
/// client's address.
final class BalancerDistributionTests: XCTestCase {
    private func leastConnectionsGateway(_ slow: ScriptedUpstream, _ fast: ScriptedUpstream) async throws -> GatewayHarness {
        try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("lc", ports: [slow.port, fast.port], extra: "    balancer: least_connections\n")
                + "routes:\n  - { id: all, upstream: lc }\n")
    }

    /// Ten clients start one request each, 25 ms apart, while the slow target holds whatever it
    /// gets. Round robin would give the slow target 5; least connections sends it only the first
    /// (a tie at 0 in flight) and everything after to the fast target, which has none in flight.
    func testLeastConnectionsPilesConcurrentRequestsOntoTheFastTarget() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let slow = try await ScriptedUpstream(name: "slow", group: group) { _, _ in .hold }
        let fast = try await ScriptedUpstream(name: "fast", group: group)
        let gw = try await leastConnectionsGateway(slow, fast)
        let port = gw.port
        var clients: [Task<String?, any Error>] = []
        for i in 0..<10 {
            clients.append(Task { try await onThread { try RawClient(port: port).get("/r\(i)").header("x-upstream") } })
            try await Task.sleep(for: .milliseconds(25))
        }
        let settled = await eventually { slow.heldCount + fast.seen.count == 10 }
        XCTAssertTrue(settled, "every request reached an upstream")
        XCTAssertEqual(slow.heldCount, 1, "the slow target holding a request gets no other: \(slow.seen)")
        XCTAssertEqual(fast.seen.count, 9, "the rest go to the target with nothing in flight")
        slow.releaseHeld()
        var answered: [String: Int] = [:]
        for client in clients { answered[try await client.value ?? "-", default: 0] += 1 }
        XCTAssertEqual(answered, ["slow": 1, "fast": 9])
        await gw.stop()
        await slow.close()
        await fast.close()
        try await group.shutdownGracefully()
    }

    func testConsistentHashOnACookieKeepsEachValueOnOneTargetAndSpreadsValues() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ups = [try await TestUpstream(name: "a", group: group), try await TestUpstream(name: "b", group: group),
                   try await TestUpstream(name: "c", group: group)]
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("h", ports: ups.map(\.port), extra: "    balancer: consistent_hash\n    hash_on: { cookie: sid }\n")
                + "routes:\n  - { id: all, upstream: h }\n")
        var owner: [String: String] = [:]
        // The same value, wherever the cookie sits among others, and on new connections.
        let spellings: [(String) -> String] = [
            { "sid=\($0)" }, { "theme=dark; sid=\($0)" }, { "sid=\($0); lang=en" }, { "x=1;sid=\($0)" },
        ]
        for (round, spelling) in spellings.enumerated() {
            let c = try gw.client()
            for user in 0..<40 {
                let r = try c.get("/", headers: ["Cookie": spelling("user-\(user)")])
                XCTAssertEqual(r.status, 200)
                let target = try XCTUnwrap(r.header("x-upstream"))
                if round == 0 {
                    owner["user-\(user)"] = target
                } else {
                    XCTAssertEqual(owner["user-\(user)"], target, "user-\(user) with cookie \(spelling("user-\(user)"))")
                }
            }
        }
        let perTarget = Dictionary(grouping: owner.values, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(perTarget.count, 3, "40 values spread over every target: \(perTarget)")
        XCTAssertTrue(perTarget.values.allSatisfy { $0 >= 4 }, "no target is starved: \(perTarget)")
        // A cookie with another name (or a name that only ends like it) is not the key: round robin.
        let c = try gw.client()
        var other: Set<String> = []
        for _ in 0..<6 { other.insert(try c.get("/", headers: ["Cookie": "xsid=user-1"]).header("x-upstream") ?? "-") }
        XCTAssertEqual(other.count, 3, "without the cookie, requests are balanced round robin")
        await gw.stop()
        for u in ups { await u.close() }
        try await group.shutdownGracefully()
    }

    /// Clients from 24 loopback source addresses (127.0.0.2 …), two fresh connections each: every
    /// address keeps its target across connections (new source ports), and the addresses spread.
    func testConsistentHashOnTheClientAddress() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ups = [try await TestUpstream(name: "a", group: group), try await TestUpstream(name: "b", group: group),
                   try await TestUpstream(name: "c", group: group)]
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("h", ports: ups.map(\.port), extra: "    balancer: consistent_hash\n    hash_on: { client_address: true }\n")
                + "routes:\n  - { id: all, upstream: h }\n")
        let port = gw.port
        let owners = try await onThread { () -> [String: [String]] in
            var owners: [String: [String]] = [:]
            for round in 0..<2 {
                // The second round in reverse order, so round robin could not repeat the first by chance.
                for host in round == 0 ? Array(2..<26) : (2..<26).reversed() {
                    let source = "127.0.0.\(host)"
                    let r = try requestFrom(source: source, port: port, path: "/r\(round)",
                                            headers: ["X-Forwarded-For": "10.0.0.\(round)"])
                    guard r.status == 200 else { continue }
                    owners[source, default: []].append(r.upstream ?? "-")
                }
            }
            return owners
        }
        XCTAssertEqual(owners.count, 24, "every request was answered")
        for (source, targets) in owners {
            XCTAssertEqual(targets.count, 2)
            XCTAssertEqual(Set(targets).count, 1, "\(source) landed on \(targets)")
        }
        let perTarget = Dictionary(grouping: owners.values.compactMap(\.first), by: { $0 }).mapValues(\.count)
        XCTAssertEqual(perTarget.count, 3, "addresses spread over every target: \(perTarget)")
        // The address is the connection's peer, not a client-supplied X-Forwarded-For (which differed per round).
        let seenFor = ups.flatMap { u in u.requests.map { $0.head.headers.first(name: "x-forwarded-for") ?? "" } }
        XCTAssertTrue(seenFor.contains { $0.hasSuffix(", 127.0.0.2") }, "the gateway saw the bound source address: \(seenFor.prefix(3))")
        await gw.stop()
        for u in ups { await u.close() }
        try await group.shutdownGracefully()
    }
}
