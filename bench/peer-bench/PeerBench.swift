import Foundation
import Gossip
import Logging
@_spi(Bench) import MeshNode
import NIOCore
import NIOPosix

/// Small request/reply round trips over loopback between two nodes in this process, with a
/// fixed number in flight: through `PeerLinks` (one pooled session), and through today's
/// one-connection-per-request stream exchange (a bundle fetch answered "not held").
///
///     peer-bench [SECONDS=5] [IN_FLIGHT=64] [BODY_BYTES=100]
@main
struct PeerBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let seconds = arguments.count > 0 ? arguments[0] : 5
        let inFlight = arguments.count > 1 ? arguments[1] : 64
        let bodyBytes = arguments.count > 2 ? arguments[2] : 100

        var logger = Logger(label: "peer-bench")
        logger.logLevel = .error
        let keyring = Keyring(primary: ClusterKey.generate())
        // Each node as meshd runs one: a gossip thread, and the gateway's loops for its connections.
        let answererGossip = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let answererLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let askerGossip = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Two, as the gateway has on this machine: one connection to the answerer each.
        let askerLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)

        func node(_ name: String, loop: any EventLoop) throws -> NodeShell {
            var settings = NodeShell.Settings(
                name: name, bind: HostPort(host: "127.0.0.1", port: 0), advertise: HostPort(host: "127.0.0.1", port: 0),
                seeds: [], tags: [:], profile: "lan", keyringFile: nil)
            // Room for every one-shot stream at once, each slot freed only once its connection has closed.
            settings.limits.maxConnections = 4 * inFlight
            return try NodeShell(settings: settings, keyring: keyring, loop: loop, metrics: NodeMetrics(), logger: logger)
        }

        let answerer = try node("answerer", loop: answererGossip.next())
        let reply = [UInt8](repeating: 0x5a, count: bodyBytes)
        await answerer.servePeerRequests { _, _ in answererLoops.next().makeSucceededFuture(reply) }
        let port = try await answerer.start(connectionLoops: answererLoops)
        let address = NodeAddress(host: "127.0.0.1", port: UInt16(port))
        let asker = try node("asker", loop: askerGossip.next())
        _ = try await asker.start(connectionLoops: askerLoops)
        let links = PeerLinks(group: askerLoops, keys: asker.liveKeyring, localAddress: NodeAddress(host: "127.0.0.1", port: 1))
        let body = [UInt8](repeating: 0xa5, count: bodyBytes)

        /// `inFlight` requests at a time for `seconds`, shared out over `loops` of the asker's
        /// group (each loop holds its own connection to the answerer; the one-shot streams start from
        /// the asker's gossip loop whichever loop asks).
        func measure(_ label: String, loops: Int = 1, _ send: @escaping @Sendable () -> EventLoopFuture<[UInt8]>) async throws {
            func runs() -> [Run] {
                let group = Array(askerLoops.makeIterator())
                return (0..<loops).map { Run(loop: group[$0], inFlight: inFlight / loops, send: send) }
            }
            // A second of warm-up, then the measured run.
            let warm = runs()
            for future in warm.map({ $0.start(for: .seconds(1)) }) { try await future.get() }
            let measured = runs()
            let started = Date()
            for future in measured.map({ $0.start(for: .seconds(Int64(seconds))) }) { try await future.get() }
            let wall = Date().timeIntervalSince(started)
            var latencies: [Int64] = []
            var failures = 0
            for run in measured {
                let (some, failed) = try await run.loop.submit { (run.latencies, run.failures) }.get()
                latencies += some
                failures += failed
            }
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "-" }
                return String(format: "%.3f", Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6)
            }
            print("\(label) requests=\(sorted.count) failures=\(failures) seconds=\(String(format: "%.2f", wall))"
                  + " req_per_s=\(Int(Double(sorted.count) / wall)) p50_ms=\(percentile(0.5)) p99_ms=\(percentile(0.99))")
        }

        print("in_flight=\(inFlight) body_bytes=\(bodyBytes) seconds=\(seconds)")
        let request: @Sendable () -> EventLoopFuture<[UInt8]> = {
            links.request(body, to: address, deadline: .now() + .seconds(5))
        }
        try await measure("peer-session-1-connection", request)
        try await measure("peer-session-2-connections", loops: 2, request)
        try await measure("one-shot-stream") { asker.exchangeBundleFetch(environment: "bench", with: address) }
        await links.close()
        await asker.stop()
        await answerer.stop()
    }
}

/// Keeps `inFlight` requests going for a while on one loop; the latencies of those that completed.
/// Confined to its loop.
final class Run: @unchecked Sendable {
    let loop: any EventLoop
    let inFlight: Int
    let send: @Sendable () -> EventLoopFuture<[UInt8]>
    var until = NIODeadline.now()
    var latencies: [Int64] = []
    var failures = 0
    var running = 0
    let done: EventLoopPromise<Void>

    init(loop: any EventLoop, inFlight: Int, send: @escaping @Sendable () -> EventLoopFuture<[UInt8]>) {
        self.loop = loop
        self.inFlight = inFlight
        self.send = send
        done = loop.makePromise()
    }

    func start(for duration: TimeAmount) -> EventLoopFuture<Void> {
        loop.execute { [self] in
            until = .now() + duration
            for _ in 0..<inFlight {
                running += 1
                next()
            }
        }
        return done.futureResult
    }

    private func next() {
        guard NIODeadline.now() < until else {
            running -= 1
            if running == 0 { done.succeed() }
            return
        }
        let started = NIODeadline.now()
        send().hop(to: loop).whenComplete { [self] result in
            switch result {
            case .success: latencies.append((NIODeadline.now() - started).nanoseconds)
            case .failure: failures += 1
            }
            next()
        }
    }
}
