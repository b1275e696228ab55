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
    /// Whom the screen identified by the head's token; nil on an endpoint open to anyone.
    public var caller: AdminIdentity?
}

/// What the screen makes of a request's head.
public enum AdminScreening: Sendable {
    /// Answered on the head alone; the body is not read.
    case answer(AdminResponse)
    /// Read whole and routed, with the caller the head's token identified.
    case admit(caller: AdminIdentity?)
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
///
/// `screen` sees each request's head first. A request it answers (one without a valid token)
/// gets that answer without its body being read: at once, closing the connection, when the
/// head announces a body; otherwise at the request's end, as any other. So only a caller
/// with a valid token can make the node buffer a body of up to `maxBodyBytes`.
public enum AdminHTTPServer {
    public typealias Route = @Sendable (AdminRequest, any EventLoop) -> EventLoopFuture<AdminResponse>
    /// What a request's head (method, path, headers; the body empty) decides.
    public typealias Screen = @Sendable (AdminRequest) -> AdminScreening

    /// Large enough for a manifest of tens of thousands of routes (`meshctl apply`).
    public static let maxBodyBytes = 32 << 20

    public static func bind(host: String, port: Int, group: any EventLoopGroup, screen: @escaping Screen,
                            route: @escaping Route) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminRequestHandler(screen: screen, route: route))
                }
            }
            .bind(host: host, port: port).get()
    }
}

private final class AdminRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let screen: AdminHTTPServer.Screen
    private let route: AdminHTTPServer.Route
    private var head: HTTPRequestHead?
    private var request: AdminRequest?
    /// The screen's answer to the request in progress.
    private var refusal: AdminResponse?
    /// The request was answered on its head and the connection is closing: its parts are dropped.
    private var answeredEarly = false
    private var tooLarge = false

    init(screen: @escaping AdminHTTPServer.Screen, route: @escaping AdminHTTPServer.Route) {
        self.screen = screen
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answeredEarly else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            let parts = h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let query = URLComponents(string: "?" + (parts.count > 1 ? parts[1] : ""))?.queryItems ?? []
            var request = AdminRequest(
                method: h.method, path: String(parts.first ?? ""),
                query: Dictionary(query.map { ($0.name, $0.value ?? "") }) { first, _ in first }, headers: h.headers, body: [])
            head = h
            tooLarge = false
            switch screen(request) {
            case .answer(let response):
                refusal = response
            case .admit(let caller):
                refusal = nil
                request.caller = caller
            }
            self.request = request
            if let refusal, Self.announcesBody(h) {
                answeredEarly = true
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
                Self.write(refusal, keepAlive: false, version: h.version, context: context)
            }
        case .body(var chunk):
            guard refusal == nil, request != nil else { return }
            if request!.body.count + chunk.readableBytes > AdminHTTPServer.maxBodyBytes {
                tooLarge = true
                request!.body = []
            } else if !tooLarge {
                request!.body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            guard let head, let request else { return }
            self.head = nil
            self.request = nil
            let keepAlive = head.isKeepAlive
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let answer: EventLoopFuture<AdminResponse>
            if let refusal {
                answer = context.eventLoop.makeSucceededFuture(refusal)
            } else if tooLarge {
                answer = context.eventLoop.makeSucceededFuture(
                    .error("request body over \(AdminHTTPServer.maxBodyBytes) bytes", status: .payloadTooLarge))
            } else {
                answer = route(request, context.eventLoop)
            }
            answer.hop(to: context.eventLoop).whenComplete { result in
                let response = (try? result.get()) ?? .error("internal error", status: .internalServerError)
                Self.write(response, keepAlive: keepAlive, version: head.version, context: loopBound.value)
            }
        }
    }

    /// Whether a body follows the head: a non-zero `Content-Length`, or any `Transfer-Encoding`.
    private static func announcesBody(_ head: HTTPRequestHead) -> Bool {
        if head.headers.contains(name: "Transfer-Encoding") { return true }
        return head.headers["Content-Length"].contains { Int($0.trimmingCharacters(in: .whitespaces)) != 0 }
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
