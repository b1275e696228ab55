import ManagerCore
import NIOHTTP1
import NIOCore

/// An upstream as one config snapshot serves it: its targets (shared with other
/// snapshots while unchanged), balancers for the node's own region and the rest, and
/// its metric handles.
final class UpstreamRuntime: Sendable {
    let config: UpstreamConfig
    /// `config.readTimeout` on NIO's clock.
    let readTimeout: TimeAmount
    let targets: [TargetRuntime]
    private let local: Balancer
    private let others: Balancer
    let metrics: UpstreamMetrics

    init(config: UpstreamConfig, targets: [TargetRuntime], region: String?, metrics: UpstreamMetrics) {
        self.config = config
        self.readTimeout = TimeAmount(config.readTimeout)
        self.targets = targets
        let isLocal: (TargetRuntime) -> Bool = { region != nil && $0.region == region }
        let localTargets = targets.filter(isLocal)
        let otherTargets = targets.filter { !isLocal($0) }
        self.local = Balancer(kind: config.balancer, targets: localTargets)
        self.others = Balancer(kind: config.balancer, targets: otherTargets)
        self.metrics = metrics
    }

    /// Targets in the node's region first; the others only when none of those is healthy;
    /// when nothing is healthy, any target not yet tried (better a chance than a certain 502).
    func pick(_ input: BalanceInput, excluded: TriedTargets, now: NIODeadline) -> TargetRuntime? {
        if let t = local.pick(input, excluded: excluded, now: now, ignoreHealth: false) { return t }
        if let t = others.pick(input, excluded: excluded, now: now, ignoreHealth: false) { return t }
        if let t = local.pick(input, excluded: excluded, now: now, ignoreHealth: true) { return t }
        return others.pick(input, excluded: excluded, now: now, ignoreHealth: true)
    }

    /// The request's key for a consistent-hash balancer.
    /// What a consistent-hash balancer keys on; nil for the other balancers.
    var hashKey: HashKey? {
        guard case .consistentHash(let key) = config.balancer else { return nil }
        return key
    }
}

extension HashKey {
    func value(fields: some FieldLookup, clientAddress: SocketAddress?, consumer: String?) -> String? {
        switch self {
        case .header(let name): return fields.first(name: name)
        case .cookie(let name): return Cookies.value(named: name, in: fields)
        case .clientAddress: return clientAddress?.ipAddress
        case .consumer: return consumer
        }
    }
}

enum Cookies {
    static func value(named name: String, in fields: some FieldLookup) -> String? {
        for line in fields["cookie"] {
            for pair in line.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let eq = trimmed.firstIndex(of: "="), trimmed[..<eq] == name else { continue }
                return String(trimmed[trimmed.index(after: eq)...])
            }
        }
        return nil
    }
}
