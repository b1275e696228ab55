import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

public struct AdminRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    /// Parameters of the target's query, decoded (`?url=...`).
    public var query: [String: String] = [:]
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

public struct AdminResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: String

    public static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: value.serialized() + "\n")
    }

    public static func error(_ message: String, status: HTTPResponseStatus) -> AdminResponse {
        .json(.object([("error", .string(message))]), status: status)
    }

    public static func text(_ body: String, status: HTTPResponseStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> AdminResponse {
        AdminResponse(status: status, contentType: contentType, body: body)
    }
}

/// A small HTTP/1.1 server for the admin API: it reads one request (body bounded),
/// hands it to `route`, writes the answer, and keeps the connection alive when asked.
public enum AdminHTTPServer {
    public typealias Route = @Sendable (AdminRequest, any EventLoop) -> EventLoopFuture<AdminResponse>

    /// Large enough for a manifest of tens of thousands of routes (`meshctl apply`).
    public static let maxBodyBytes = 32 << 20

    public static func bind(host: String, port: Int, group: any EventLoopGroup, route: @escaping Route) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminRequestHandler(route: route))
                }
            }
            .bind(host: host, port: port).get()
    }
}

private final class AdminRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let route: AdminHTTPServer.Route
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(route: @escaping AdminHTTPServer.Route) { self.route = route }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var chunk):
            if body.count + chunk.readableBytes > AdminHTTPServer.maxBodyBytes {
                tooLarge = true
            } else {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let answer: EventLoopFuture<AdminResponse>
            if tooLarge {
                answer = context.eventLoop.makeSucceededFuture(
                    .error("request body over \(AdminHTTPServer.maxBodyBytes) bytes", status: .payloadTooLarge))
            } else {
                let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
                let path = String(parts.first ?? "")
                let query = URLComponents(string: "?" + (parts.count > 1 ? parts[1] : ""))?.queryItems ?? []
                let request = AdminRequest(
                    method: head.method, path: path, query: Dictionary(query.map { ($0.name, $0.value ?? "") }) { first, _ in first },
                    headers: head.headers, body: body)
                answer = route(request, context.eventLoop)
            }
            answer.hop(to: context.eventLoop).whenComplete { result in
                let response = (try? result.get()) ?? .error("internal error", status: .internalServerError)
                Self.write(response, keepAlive: keepAlive, version: head.version, context: loopBound.value)
            }
        }
    }

    private static func write(_ response: AdminResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(NIOAny(HTTPServerResponsePart.head(
            HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(string: response.body)))), promise: nil)
        let channel = context.channel
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }
}
