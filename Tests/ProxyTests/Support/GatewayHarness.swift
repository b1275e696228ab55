import ManagerCore
import Logging
import NIOCore
import NIOPosix
import Proxy

/// A gateway on a free loopback port with its own event loops, for one test.
struct GatewayHarness {
    let gateway: Gateway
    let port: Int
    let group: MultiThreadedEventLoopGroup

    static func start(
        yaml: String, threads: Int = 1, options: GatewayOptions = GatewayOptions(host: "127.0.0.1", port: 0)
    ) async throws -> GatewayHarness {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var logger = Logger(label: "test-gateway")
        logger.logLevel = .critical
        var options = options
        options.host = "127.0.0.1"
        options.port = 0
        let gateway = try Gateway(
            options: options, config: try GatewayConfig.parse(yaml: yaml, file: "test.yaml"), group: group, logger: logger)
        let port = try await gateway.start()
        return GatewayHarness(gateway: gateway, port: port, group: group)
    }

    func apply(_ yaml: String) throws {
        try gateway.apply(ManifestValidation.validated(try GatewayConfig.parse(yaml: yaml, file: "swap.yaml")))
    }

    func stop() async {
        await gateway.drain(timeout: .seconds(1))
        try? await group.shutdownGracefully()
    }

    func client(timeout: Double = 5) throws -> RawClient { try RawClient(port: port, timeout: timeout) }
}

/// `upstreams:` YAML for test upstreams on loopback ports.
func upstreamYAML(_ id: String, ports: [Int], extra: String = "") -> String {
    var yaml = "  - id: \(id)\n" + extra + "    targets:\n"
    for port in ports { yaml += "      - url: http://127.0.0.1:\(port)\n" }
    return yaml
}
