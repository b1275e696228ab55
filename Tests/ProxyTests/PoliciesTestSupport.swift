import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest
import ManagerCore

@testable import Proxy

/// A policy's config from a YAML mapping, checked as a manifest's would be.
func policyConfig(_ yaml: String, file: String = "gateway.yaml") throws -> PolicyConfig {
    try PolicyConfig.parse(yaml: yaml, file: file)
}

let testBuildContext = PolicyBuildContext(group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "policies-test"))

func makePolicy(_ yaml: String) throws -> any RequestPolicy {
    try PolicyFactory.make(try policyConfig(yaml), context: testBuildContext)
}

func makeRequest(
    _ method: HTTPMethod = .GET,
    _ uri: String = "/",
    headers: [(String, String)] = [],
    route: String = "route-1",
    client: String = "192.0.2.10"
) -> RequestContext {
    RequestContext(
        head: HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers)),
        routeID: route,
        clientAddress: try? SocketAddress(ipAddress: client, port: 40000),
        requestID: "req-1"
    )
}

/// Evaluates on an event loop of its own, as the data plane does for a connection.
func evaluate(_ policy: any RequestPolicy, _ context: inout RequestContext) -> PolicyDecision {
    policy.evaluate(&context, on: MultiThreadedEventLoopGroup.singleton.next())
}

/// The response fields after the context's response edits, as the client sees them.
func responseHeaders(_ policy: any RequestPolicy, _ context: RequestContext, upstream: [(String, String)] = []) -> HTTPHeaders {
    var headers = HTTPHeaders(upstream)
    ForwardingHeaders.apply(context.responseHeaderEdits, to: &headers)
    return headers
}

extension PolicyDecision {
    var isProceed: Bool {
        if case .proceed = self { return true }
        return false
    }

    var isDeferred: Bool {
        if case .deferred = self { return true }
        return false
    }

    var response: GatewayResponse? {
        if case .respond(let response) = self { return response }
        return nil
    }

    var status: HTTPResponseStatus? { response?.status }

    /// Waits for a deferred decision; others are returned as they are.
    func settled() throws -> PolicyDecision {
        if case .deferred(let future) = self {
            return try future.wait()
        }
        return self
    }
}

extension GatewayResponse {
    var bodyText: String {
        body.map { String(buffer: $0) } ?? ""
    }
}
