import Logging
import NIOCore
import ServiceLifecycle

/// The node as a swift-service-lifecycle service: it runs until SIGTERM/SIGINT or an
/// admin leave request, then leaves the mesh (bounded wait for the leave to spread) and
/// closes its listeners, so the process exits 0.
public struct NodeService: Service {
    public let node: NodeShell
    public let admin: any Channel
    let leaveRequests: AsyncStream<Void>
    let leaveContinuation: AsyncStream<Void>.Continuation

    public init(node: NodeShell, admin: any Channel, leaveRequests: AsyncStream<Void>,
                leaveContinuation: AsyncStream<Void>.Continuation) {
        self.node = node
        self.admin = admin
        self.leaveRequests = leaveRequests
        self.leaveContinuation = leaveContinuation
    }

    public func run() async throws {
        let continuation = leaveContinuation
        await withGracefulShutdownHandler {
            for await _ in leaveRequests { break }
        } onGracefulShutdown: {
            continuation.yield()
        }
        await node.leave()
        try? await admin.close()
        node.logger.info("stopped")
    }
}

/// Runs services until a graceful-shutdown signal (SIGTERM, SIGINT) or until the node leaves.
public enum Lifecycle {
    /// Each service is named for the logs. Without a name the library describes the service by
    /// reflection, and its conformance lookups took a fifth of a new process's start-up CPU.
    public static func run(_ services: [(name: String, service: any Service)], logger: Logger) async throws {
        // A service that returns (the node left through the admin API) ends the others gracefully.
        let configuration = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0.service, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.name)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}
