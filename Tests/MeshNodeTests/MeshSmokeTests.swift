import Foundation
import Testing

/// Three real meshd processes on loopback, encrypted with one cluster key.
@Suite(.serialized) struct MeshSmokeTests {
    @Test(.timeLimit(.minutes(1)))
    func threeNodesSeeEachOtherAliveAndLeaveCleanly() async throws {
        let dir = try TemporaryDirectory()
        let keyFile = try dir.write(ClusterKeyText.fresh(), to: "cluster.key")
        let a = try NodeProcess(name: "a", in: dir, keyFile: keyFile)
        let b = try NodeProcess(name: "b", in: dir, seeds: [a.gossipAddress], keyFile: keyFile)
        let c = try NodeProcess(name: "c", in: dir, seeds: [a.gossipAddress], keyFile: keyFile)
        let all = [a, b, c]

        for node in all {
            let converged = await node.waitFor(timeout: .seconds(10)) { states in
                states.count == 3 && states.values.allSatisfy { $0 == "alive" }
            }
            #expect(converged, "\(node.name) never saw 3 alive: \(node.log.suffix(2000))")
        }

        #expect(try await b.request("/v1/members", authorized: false).status == 401)
        #expect(try await b.request("/healthz", authorized: false).status == 200)
        #expect(try await b.request("/readyz", authorized: false).status == 200)
        let status = try await b.request("/v1/status")
        #expect(status.status == 200)
        #expect(status.body.contains("\"name\":\"b\""))
        let metrics = try await b.request("/metrics", authorized: false)
        #expect(metrics.body.contains("meshgate_swim_members{state=\"alive\"} 3"))

        c.signal(SIGTERM)
        #expect(await c.waitForExit(timeout: .seconds(5)) == 0)
        let sawLeave = await a.waitFor(timeout: .seconds(5)) { $0["c"] == "left" }
        #expect(sawLeave, "a did not see c leave: \(a.log.suffix(2000))")

        for node in [a, b] { node.signal(SIGTERM) }
        for node in [a, b] { #expect(await node.waitForExit(timeout: .seconds(5)) == 0) }
    }
}

enum ClusterKeyText {
    /// 32 random bytes, base64: what `meshctl keygen` writes.
    static func fresh() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return Data(bytes).base64EncodedString() + "\n"
    }
}
