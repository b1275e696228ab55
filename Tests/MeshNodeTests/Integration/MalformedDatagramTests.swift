import Foundation
import XCTest

/// Garbage and truncated datagrams at the gossip port are counted, and the node keeps working.
final class MalformedDatagramTests: XCTestCase {
    func testGarbageAndTruncatedDatagramsAreCountedAndTheNodeKeepsWorking() throws {
        let cluster = try TestCluster("garbage")
        defer { cluster.shutdown() }
        let probe = try UDPProbe()
        let mesh = try cluster.startMesh("node", count: 2)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 20)

        // A node seeded at the probe sends it real sealed packets: their truncations are the realistic garbage.
        let talker = try cluster.node("talker", seeds: [probe.address])
        let sealed = try XCTUnwrap(probe.receive(within: 10), "a node seeded at the probe sent it nothing")
        talker.killNow()

        let target = mesh[0]
        let before = try GossipCounters(target).rejectedPackets
        var generator = SystemRandomNumberGenerator()
        var sent = 0
        for length in [1, 2, 7, 16, 23, 24, 40, 100, 512, 1400] {
            try probe.send(TestKeys.randomBytes(length), to: target.gossipPort)
            sent += 1
        }
        for cut in Set([1, 4, 12, 24, 40, sealed.count / 2, sealed.count - 1]) where cut > 0 && cut < sealed.count {
            try probe.send(Array(sealed.prefix(cut)), to: target.gossipPort)
            sent += 1
        }
        var flipped = sealed
        flipped[Int.random(in: 0..<flipped.count, using: &generator)] ^= 0x5a
        try probe.send(flipped, to: target.gossipPort)
        sent += 1

        try cluster.waitUntil("\(sent) bad datagrams counted", on: [target], within: 10) { _ in
            ((try? GossipCounters(target).rejectedPackets) ?? 0) >= before + Double(sent)
        }
        let latecomer = try cluster.node("latecomer", seeds: [target.gossipAddress])
        try cluster.waitUntilAlive(mesh + [latecomer], on: mesh + [latecomer], within: 20)
    }
}
