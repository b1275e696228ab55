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
    func send(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, body encoded: [UInt8]? = nil)
        -> EventLoopFuture<AdminResponse>
    {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = eventLoop.makePromise(of: AdminResponse.self)
        let timeout = TimeAmount.milliseconds(Int64(timeoutSeconds * 1000))
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(AdminTransportError.timedOut) }
        promise.futureResult.whenComplete { _ in timer.cancel() }

        let body = encoded.map { Data($0) } ?? json.flatMap { try? JSONSerialization.data(withJSONObject: $0) }
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
    func request(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, body: [UInt8]? = nil) throws -> [String: Any] {
        let response: AdminResponse
        do {
            response = try send(method, path, json: json, body: body).wait()
        } catch {
            throw describe(error)
        }
        return try decode(response, path: path)
    }

    /// Sends an encodable body and decodes a 2xx answer as `T`.
    func request<Body: Encodable, T: Decodable>(_ method: HTTPMethod, _ path: String, sending value: Body, as type: T.Type) throws -> T {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let object = try request(method, path, body: Array(try encoder.encode(value)))
        return try decodeObject(object, as: type, path: path)
    }

    /// Decodes a 2xx answer of a GET as `T`.
    func request<T: Decodable>(_ path: String, as type: T.Type) throws -> T {
        try decodeObject(try request(.GET, path), as: type, path: path)
    }

    private func decodeObject<T: Decodable>(_ object: [String: Any], as type: T.Type, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: JSONSerialization.data(withJSONObject: object))
        } catch {
            throw CLIError("unexpected answer from \(endpoint)\(path): \(error)")
        }
    }

    func decode(_ response: AdminResponse, path: String) throws -> [String: Any] {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        switch response.status {
        case 200..<300:
            guard let object else {
                throw CLIError("unexpected answer from \(endpoint)\(path): not a JSON object")
            }
            return object
        case 401:
            let reason = (object?["error"] as? String).map { ": \($0)" } ?? ""
            throw CLIError("\(endpoint) refused the admin token (\(response.status)\(reason)); pass the node's token with --token-file")
        case 403:
            let reason = (object?["error"] as? String) ?? "the token's role does not allow this"
            throw CLIError("\(endpoint) refused: \(reason)")
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
