import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Fetches one small document (a JWKS) with an HTTP/1.1 GET over `http://` or
/// `https://`, bounded in time and size. Only a 200 answer counts.
struct DocumentFetcher: Sendable {
    enum FetchError: Error, CustomStringConvertible {
        case badURL(String)
        case status(UInt)
        case tooLarge(Int)
        case timedOut
        case closedEarly

        var description: String {
            switch self {
            case .badURL(let url): "not an http:// or https:// URL: \(url)"
            case .status(let code): "answered \(code)"
            case .tooLarge(let limit): "document larger than \(limit) bytes"
            case .timedOut: "timed out"
            case .closedEarly: "connection closed before the response ended"
            }
        }
    }

    let url: String
    let host: String
    let port: Int
    let target: String
    let tls: Bool
    let timeout: TimeAmount
    let maxBytes: Int

    init(url: String, timeout: TimeAmount, maxBytes: Int = 1 << 20) throws {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { throw FetchError.badURL(url) }
        self.url = url
        self.tls = scheme == "https"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? (tls ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        self.target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        self.timeout = timeout
        self.maxBytes = maxBytes
    }

    func fetch(on eventLoop: any EventLoop) -> EventLoopFuture<[UInt8]> {
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        let host = host
        let maxBytes = maxBytes
        let connected = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let sniHost = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: sniHost)
                        )
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, maxBytes: maxBytes))
                }
            }
            .connect(host: host, port: port)
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let target = target
        let timeout = timeout
        connected.whenSuccess { channel in
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                channel.pipeline.fireErrorCaught(FetchError.timedOut)
            }
            promise.futureResult.whenComplete { _ in
                timer.cancel()
                channel.close(promise: nil)
            }
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: hostHeader)
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "Connection", value: "close")
            headers.add(name: "User-Agent", value: "meshgate")
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        connected.whenFailure { promise.fail($0) }
        return promise.futureResult
    }
}

private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<[UInt8]>
    private let maxBytes: Int
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<[UInt8]>, maxBytes: Int) {
        self.promise = promise
        self.maxBytes = maxBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status != .ok {
                finish(.failure(DocumentFetcher.FetchError.status(head.status.code)))
            }
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= maxBytes else {
                finish(.failure(DocumentFetcher.FetchError.tooLarge(maxBytes)))
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            finish(.success(body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(DocumentFetcher.FetchError.closedEarly))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<[UInt8], any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
