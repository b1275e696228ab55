import Foundation
import XCTest

/// A seed list that mixes dead and live addresses still gets a node into the mesh.
final class SeedListTests: XCTestCase {
    func testMixOfDeadAndLiveSeedsStillJoins() throws {
        let cluster = try TestCluster("seeds")
        defer { cluster.shutdown() }
        let mesh = try cluster.startMesh("node", count: 2)
        try cluster.waitUntilAlive(mesh, on: mesh, within: 20)

        let dead = try (0..<3).map { _ in "127.0.0.1:\(try FreePorts.next())" }
        let seeds = [dead[0], dead[1], mesh[1].gossipAddress, dead[2]]
        let joiner = try cluster.node("joiner", seeds: seeds)
        try cluster.waitUntilAlive(mesh + [joiner], on: mesh + [joiner], within: 20)
    }
}
