import ManagerCore
import NIOCore
import NIOPosix

struct PoolExhausted: Error {}

/// Keep-alive connections to one target from one event loop. Only that loop touches
/// it, so it needs no lock; the `@unchecked Sendable` lets the target hold one per loop.
final class ConnectionPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let address: SocketAddress
    private let limits: PoolLimits
    /// `limits.idleTimeout` on NIO's clock.
    private let idleTimeout: TimeAmount
    private let connectTimeout: TimeAmount
    private var idle: [UpstreamConnection] = []
    private var open = 0
    private var retired = false

    /// Most bytes of a response's status line and fields from an upstream.
    static let responseHeadLimit = 64 * 1024

    init(eventLoop: any EventLoop, address: SocketAddress, limits: PoolLimits, connectTimeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.address = address
        self.limits = limits
        self.idleTimeout = TimeAmount(limits.idleTimeout)
        self.connectTimeout = connectTimeout
    }

    /// A warm idle connection, if there is one that has not been idle for the idle timeout.
    func takeIdle(now: NIODeadline) -> UpstreamConnection? {
        while let connection = changeIdle({ $0.popLast() }) {
            if now - connection.idleSince >= idleTimeout {
                // The most recently used comes last: every one left is older still.
                let expired = idle + [connection]
                idle = []
                expired.forEach { $0.close() }
                return nil
            }
            if connection.channel.isActive {
                connection.reused = true
                return connection
            }
        }
        return nil
    }

    /// A new connection whose responses may hold up to `fieldLimit` field lines; `done` runs on the pool's loop.
    func connect(fieldLimit: Int, _ done: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        guard open < limits.maxConnections else {
            done(.failure(PoolExhausted()))
            return
        }
        open += 1
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(headLimit: Self.responseHeadLimit, fieldLimit: fieldLimit))
                }
            }
            .connect(to: address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    do {
                        let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                        let connection = UpstreamConnection(channel: channel, handler: handler, pool: self)
                        handler.connection = connection
                        if channel.isActive {
                            done(.success(connection))
                        } else {
                            connection.closed()
                            done(.failure(ChannelError.ioOnClosedChannel))
                        }
                    } catch {
                        self.open -= 1
                        channel.close(promise: nil)
                        done(.failure(error))
                    }
                case .failure(let error):
                    self.open -= 1
                    done(.failure(error))
                }
            }
    }

    /// Takes a connection back after a complete exchange; it stays warm unless the pool is full or retired.
    func release(_ connection: UpstreamConnection, at now: NIODeadline) {
        connection.sink = nil
        connection.receivedBytes = false
        connection.idleSince = now
        if retired || connection.isClosed || idle.count >= limits.maxIdle {
            connection.close()
        } else {
            connection.handler.resumeReads()
            changeIdle { $0.append(connection) }
        }
    }

    func connectionClosed(_ connection: UpstreamConnection) {
        open -= 1
        changeIdle { idle in
            if let index = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: index) }
        }
    }

    /// The target left the config: close idle connections now, the busy ones when their exchange ends.
    func retire() {
        retired = true
        let closing = idle
        idle = []
        closing.forEach { $0.close() }
    }

    /// Changes the idle list moved out of its property, so that no access to the property
    /// lasts across a call (the compiler then checks them all statically). `change` must not
    /// touch the pool.
    private func changeIdle<Result>(_ change: (inout [UpstreamConnection]) -> Result) -> Result {
        var list = idle
        idle = []
        let result = change(&list)
        idle = list
        return result
    }
}
