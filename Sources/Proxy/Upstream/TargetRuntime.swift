import ManagerCore
import NIOCore

/// A target with everything that outlives a config swap while the target stays in
/// the config: its keep-alive pools (one per event loop) and its health.
final class TargetRuntime: Sendable {
    let config: TargetConfig
    /// `host:port`, as the `Host` of requests that name none.
    let authority: String
    let upstreamID: String
    let address: SocketAddress
    let health = TargetHealth()
    /// One pool per event loop, found by a linear search: a group has a few loops, and
    /// comparing their identities costs less than hashing one.
    private let pools: [(loop: ObjectIdentifier, pool: ConnectionPool)]
    let key: TargetKey

    struct TargetKey: Hashable, Sendable {
        let upstream: String
        let authority: String
        let limits: PoolLimits
        let connectTimeout: TimeAmount
    }

    init(upstream: UpstreamConfig, target: TargetConfig, group: any EventLoopGroup) throws {
        self.config = target
        self.authority = target.authority
        self.upstreamID = upstream.id
        do {
            self.address = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
        } catch {
            throw TargetResolutionError(upstream: upstream.id, authority: target.authority, reason: "\(error)")
        }
        self.key = Self.key(upstream: upstream, target: target)
        var pools: [(loop: ObjectIdentifier, pool: ConnectionPool)] = []
        for loop in group.makeIterator() {
            pools.append((ObjectIdentifier(loop), ConnectionPool(
                eventLoop: loop, address: address, limits: upstream.pool, connectTimeout: TimeAmount(upstream.connectTimeout))))
        }
        self.pools = pools
    }

    static func key(upstream: UpstreamConfig, target: TargetConfig) -> TargetKey {
        TargetKey(upstream: upstream.id, authority: target.authority, limits: upstream.pool, connectTimeout: TimeAmount(upstream.connectTimeout))
    }

    func pool(for loop: any EventLoop) -> ConnectionPool? {
        let wanted = ObjectIdentifier(loop)
        return pools.first { $0.loop == wanted }?.pool
    }

    /// Closes idle connections on every loop; busy ones close when their exchange ends.
    func retire() {
        for (_, pool) in pools {
            pool.eventLoop.execute { pool.retire() }
        }
    }

    var region: String? { config.tags["region"] }
}

/// A target whose host name does not resolve: the config is not applied.
public struct TargetResolutionError: Error, CustomStringConvertible {
    public let upstream: String
    public let authority: String
    public let reason: String
    public var description: String { "upstream '\(upstream)': cannot resolve target \(authority): \(reason)" }
}
