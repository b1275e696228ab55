import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client for one node's admin API: one connection per request, bounded by a timeout.
struct AdminClient: Sendable {
    let endpoint: AdminEndpoint
    let token: String?
    let timeoutSeconds: Double

    /// Sends a request; the future fails with `AdminTransportError.timedOut` when no complete answer
    /// arrived within the timeout, or with the connection error.
    func send(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil) -> EventLoopFuture<AdminResponse> {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = eventLoop.makePromise(of: AdminResponse.self)
        let timeout = TimeAmount.milliseconds(Int64(timeoutSeconds * 1000))
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(AdminTransportError.timedOut) }
        promise.futureResult.whenComplete { _ in timer.cancel() }

        let body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0) }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "User-Agent", value: "meshctl")
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        let payload = body.map { [UInt8]($0) }

        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    promise.fail(error)
                case .success(let channel):
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                    channel.write(HTTPClientRequestPart.head(head), promise: nil)
                    if let payload {
                        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: payload))), promise: nil)
                    }
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
                }
            }
        return promise.futureResult
    }

    /// Sends a request and waits for a 2xx JSON object, turning every other outcome into a one-line error.
    func request(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil) throws -> [String: Any] {
        let response: AdminResponse
        do {
            response = try send(method, path, json: json).wait()
        } catch {
            throw describe(error)
        }
        return try decode(response, path: path)
    }

    func decode(_ response: AdminResponse, path: String) throws -> [String: Any] {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        switch response.status {
        case 200..<300:
            guard let object else {
                throw CLIError("unexpected answer from \(endpoint)\(path): not a JSON object")
            }
            return object
        case 401, 403:
            let reason = (object?["error"] as? String).map { ": \($0)" } ?? ""
            throw CLIError("\(endpoint) refused the admin token (\(response.status)\(reason)); pass the node's token with --token-file")
        default:
            let reason = (object?["error"] as? String) ?? response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CLIError("\(endpoint)\(path) answered \(response.status): \(reason.isEmpty ? "no details" : reason)")
        }
    }

    func describe(_ error: Error) -> CLIError {
        switch error {
        case AdminTransportError.timedOut:
            return CLIError("no answer from \(endpoint) within \(timeoutSeconds)s")
        case AdminTransportError.closedEarly:
            return CLIError("\(endpoint) closed the connection before answering")
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return CLIError("cannot reach meshd at \(endpoint): connection refused")
        case let error as NIOConnectionError:
            let reason = error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"
            let refused = reason.contains("refused") || reason.contains("errno: 111")
            return CLIError("cannot reach meshd at \(endpoint): \(refused ? "connection refused" : reason)")
        case is ChannelError:
            return CLIError("cannot reach meshd at \(endpoint): \(error)")
        default:
            return CLIError("cannot reach meshd at \(endpoint): \(error)")
        }
    }
}
