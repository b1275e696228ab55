import CacheRing
import NIOCore
import NIOHTTP1

/// A stale entry served within its `stale-while-revalidate` window (RFC 5861 §3) is validated
/// with the origin after the client has its answer: a conditional GET on the route's upstream,
/// on the client connection's event loop, bound by the upstream's read timeout. A 304 refreshes
/// the entry, a storable response replaces it, anything else leaves it to age out.
final class BackgroundValidation: UpstreamResponseSink {
    private let state: ExchangeCache
    private let route: String
    private let readTimeout: TimeAmount
    private var connection: UpstreamConnection?
    private var timeout: Scheduled<Void>?
    private var status = 0
    /// Holds this object until the validation ends (connections hold their sink weakly).
    private var running: BackgroundValidation?

    init(state: ExchangeCache, route: String, readTimeout: TimeAmount) {
        self.state = state
        self.route = route
        self.readTimeout = readTimeout
    }

    /// Sends `head` to `target` on `pool`'s loop.
    func start(head: ByteBuffer, pool: ConnectionPool, fieldLimit: Int) {
        running = self
        timeout = pool.eventLoop.assumeIsolated().scheduleTask(in: readTimeout) { [weak self] in
            self?.end(closing: true)
        }
        let now = NIODeadline.now()
        if let connection = pool.takeIdle(now: now) {
            send(head, on: connection)
            return
        }
        pool.connect(fieldLimit: fieldLimit) { [weak self] result in
            guard let self, self.running != nil else {
                if case .success(let connection) = result { connection.pool.release(connection, at: .now()) }
                return
            }
            switch result {
            case .success(let connection): self.send(head, on: connection)
            case .failure: self.end(closing: false)
            }
        }
    }

    private func send(_ head: ByteBuffer, on connection: UpstreamConnection) {
        self.connection = connection
        connection.sink = self
        connection.writeHead(head, isHEAD: false, flush: true)
    }

    func upstreamHead(_ head: ResponseHead, framing: BodyDecoder.Framing, options: ConnectionOptions,
                      from connection: UpstreamConnection) {
        status = Int(head.status.code)
        _ = state.received(status: status, fields: head.fields.fieldList, now: .current)
    }

    func upstreamBody(_ body: ByteBuffer, from connection: UpstreamConnection) {
        state.collect(body)
    }

    func upstreamEnd(from connection: UpstreamConnection) {
        state.ended(status: status, route: route)
        self.connection = nil
        connection.pool.release(connection, at: .now())
        end(closing: false)
    }

    func upstreamReadComplete(from connection: UpstreamConnection) {}

    func upstreamWritabilityChanged(_ writable: Bool, from connection: UpstreamConnection) {}

    func upstreamFailed(_ error: any Error, from connection: UpstreamConnection) {
        end(closing: true)
    }

    private func end(closing: Bool) {
        timeout?.cancel()
        timeout = nil
        if closing, let connection {
            self.connection = nil
            connection.close()
        }
        state.finishFill(nil, now: .current)
        running = nil
    }
}
