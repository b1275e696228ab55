import Testing
@testable import Simulation

@Suite struct TCPModelTests {
    static func network(loss: Double, latencyMs: Double = 20) -> VirtualNetwork {
        var config = SimulationConfig.NetworkConfig()
        config.loss = loss
        config.latencyMs = latencyMs
        config.jitter = 0
        return VirtualNetwork(config: config, seed: 3, slots: 2)
    }

    @Test func withoutLossAConnectTakesARoundTripAndSlowStartAddsRoundsForLargeMessages() {
        var network = Self.network(loss: 0)
        #expect(network.connect() == .milliseconds(40))
        #expect(network.transfer(bytes: 100) == .milliseconds(20))
        // 10 segments in the first flight, 20 in the next, 40 after: 70 segments take three rounds.
        #expect(network.transfer(bytes: 70 * TCPModel.segmentBytes) == .milliseconds(20 + 2 * 40))
        #expect(network.transfer(bytes: 71 * TCPModel.segmentBytes) == .milliseconds(20 + 3 * 40))
    }

    @Test func everyHandshakeFailsWhenEverythingIsLost() {
        var network = Self.network(loss: 1)
        #expect(network.connect() == nil)
    }

    /// At 30% loss a handshake succeeds at once, after a second (one lost SYN or SYN-ACK),
    /// or not within the 2 s connect timeout; a transfer waits a whole number of doubling
    /// retransmission timeouts (200 ms, 400 ms, ...) beyond its latency.
    @Test func lossCostsTheTimersOfTCP() {
        var network = Self.network(loss: 0.3)
        var connects: [SimTime?] = []
        for _ in 0..<2_000 { connects.append(network.connect()) }
        let atOnce = connects.filter { $0 == .milliseconds(40) }.count
        let afterASecond = connects.filter { $0 == .milliseconds(1_040) }.count
        let failed = connects.filter { $0 == nil }.count
        #expect(atOnce + afterASecond + failed == connects.count)
        // P(both of SYN and SYN-ACK arrive) = 0.49.
        #expect((880...1_080).contains(atOnce))
        #expect((400...600).contains(afterASecond))
        for _ in 0..<500 {
            let extra = network.transfer(bytes: 100) - .milliseconds(20)
            #expect(extra % .milliseconds(200) == 0)
        }
    }
}
