import Foundation
import Gossip
import Logging
import NIOCore
import NIOPosix
import Synchronization
import XCTest

@testable import MeshNode

/// NodeShells in this process on loopback, each with its gossip loop and two connection loops,
/// and `PeerLinks` asking them over real sockets.
final class PeerNodes {
    let gossipLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let connectionLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let clientLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let keyring = Keyring(primary: try! ClusterKey(bytes: TestKeys.randomBytes(32)))
    private var nodes: [NodeShell] = []
    private var links: [PeerLinks] = []

    /// A started node serving `handler` (none: it refuses sessions); `port` 0 lets the system choose.
    func node(_ name: String, port: Int = 0, limits: StreamLimits = StreamLimits(), seeds: [NodeAddress] = [],
              handler: PeerRequestHandler?) async throws -> (NodeShell, NodeAddress) {
        var settings = NodeShell.Settings(
            name: name, bind: HostPort(host: "127.0.0.1", port: port), advertise: HostPort(host: "127.0.0.1", port: port),
            seeds: seeds.map { .address(HostPort(host: $0.host, port: Int($0.port))) }, tags: [:], profile: "local",
            keyringFile: nil)
        settings.limits = limits
        var logger = Logger(label: "peer-test")
        logger.logLevel = .warning
        let node = try NodeShell(settings: settings, keyring: keyring, loop: gossipLoops.next(), metrics: NodeMetrics(),
                                 logger: logger)
        if let handler { await node.servePeerRequests(handler) }
        let bound = try await node.start(connectionLoops: connectionLoops)
        nodes.append(node)
        return (node, NodeAddress(host: "127.0.0.1", port: UInt16(bound)))
    }

    /// A handler that answers at once, from a connection loop, with `transform` of the body.
    func answering(_ transform: @escaping @Sendable ([UInt8]) -> [UInt8]) -> PeerRequestHandler {
        let loops = connectionLoops
        return { body, _ in loops.next().makeSucceededFuture(transform(body)) }
    }

    func links(keyring: Keyring? = nil, settings: PeerLinks.Settings = PeerLinks.Settings()) -> PeerLinks {
        let links = PeerLinks(group: clientLoops, keys: LiveKeyring(keyring ?? self.keyring),
                              localAddress: NodeAddress(host: "127.0.0.1", port: 1), settings: settings)
        self.links.append(links)
        return links
    }

    func shutdown() async {
        for links in links { await links.close() }
        for node in nodes { await node.stop() }
        try? await clientLoops.shutdownGracefully()
        try? await connectionLoops.shutdownGracefully()
        try? await gossipLoops.shutdownGracefully()
    }
}

/// A handler that holds every request until the test answers it.
final class HeldRequests: Sendable {
    private let loop: any EventLoop
    private let held = Mutex<[(body: [UInt8], promise: EventLoopPromise<[UInt8]>)]>([])

    init(loop: any EventLoop) { self.loop = loop }

    var handler: PeerRequestHandler {
        { [self] body, _ in
            let promise = loop.makePromise(of: [UInt8].self)
            held.withLock { $0.append((body, promise)) }
            return promise.futureResult
        }
    }

    var count: Int { held.withLock { $0.count } }

    var bodies: [[UInt8]] { held.withLock { $0.map(\.body) } }

    /// Takes every request held so far, oldest first.
    func take() -> [(body: [UInt8], promise: EventLoopPromise<[UInt8]>)] {
        held.withLock { taken in
            defer { taken = [] }
            return taken
        }
    }
}

/// A clock the test moves by hand, for `PeerLinks.Settings.now`.
final class ManualClock: Sendable {
    private let instant = Mutex(NIODeadline.uptimeNanoseconds(1_000_000_000_000))

    var now: NIODeadline { instant.withLock { $0 } }

    func advance(_ amount: TimeAmount) { instant.withLock { $0 = $0 + amount } }
}

/// Polls `condition` every 20 ms until it holds; fails after `seconds`.
func waitUntil(_ what: String, within seconds: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw IntegrationError("timed out after \(seconds)s waiting for \(what)")
}

extension NodeShell {
    /// The node's traffic figures, read on its loop.
    var currentFigures: GossipFigures {
        get async throws { try await loop.submit { self.figures }.get() }
    }
}

/// The error a request failed with, or nil when it succeeded.
func failure(of future: EventLoopFuture<[UInt8]>) async -> PeerLinkError? {
    do {
        _ = try await future.get()
        return nil
    } catch let error as PeerLinkError {
        return error
    } catch {
        return .connectionLost("unexpected \(error)")
    }
}
