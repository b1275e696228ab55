import CacheRing
import ManagerCore
import NIOCore
import Synchronization

/// What a balancer may key on for one request.
struct BalanceInput {
    var hashKey: String?
}

/// Targets one request already tried; the first is kept inline (no allocation on the common
/// path). Changed by making new values, which the exchange stores: no access to its property
/// lasts across a call.
struct TriedTargets {
    private var first: ObjectIdentifier?
    private var more: [ObjectIdentifier] = []

    func inserting(_ target: TargetRuntime) -> TriedTargets {
        var tried = self
        if tried.first == nil { tried.first = ObjectIdentifier(target) } else { tried.more.append(ObjectIdentifier(target)) }
        return tried
    }

    func removingLast() -> TriedTargets {
        var tried = self
        if tried.more.isEmpty { tried.first = nil } else { tried.more.removeLast() }
        return tried
    }

    func contains(_ target: TargetRuntime) -> Bool {
        guard let first else { return false }
        return first == ObjectIdentifier(target) || (!more.isEmpty && more.contains(ObjectIdentifier(target)))
    }
}

/// Picks a target among a group of an upstream's targets. Shared by every event loop;
/// its only mutable state is an atomic counter.
final class Balancer: Sendable {
    private let kind: BalancerKind
    private let targets: [TargetRuntime]
    private let schedule: [Int]
    private let ring: HashRing?
    private let counter = Atomic<Int>(0)

    init(kind: BalancerKind, targets: [TargetRuntime]) {
        self.kind = kind
        self.targets = targets
        switch kind {
        case .weightedRoundRobin: schedule = WeightedSchedule.make(weights: targets.map(\.config.weight))
        default: schedule = Array(targets.indices)
        }
        if case .consistentHash = kind {
            ring = HashRing(members: targets.map { ($0.config.authority, $0.config.weight) }, pointsPerWeight: 100)
        } else {
            ring = nil
        }
    }

    /// The chosen target, skipping `excluded` ones and, unless `ignoreHealth`, unavailable ones.
    func pick(_ input: BalanceInput, excluded: TriedTargets, now: NIODeadline, ignoreHealth: Bool) -> TargetRuntime? {
        guard !targets.isEmpty else { return nil }
        // A local function, not a closure value: its captures stay on the stack.
        func usable(_ target: TargetRuntime) -> Bool {
            (ignoreHealth || target.health.isAvailable(now: now)) && !excluded.contains(target)
        }
        switch kind {
        case .roundRobin, .weightedRoundRobin:
            return nextInSchedule(usable)
        case .leastConnections:
            let start = counter.wrappingAdd(1, ordering: .relaxed).oldValue
            var best: TargetRuntime?
            var bestLoad = Int.max
            for offset in 0..<targets.count {
                let target = targets[(start &+ offset) % targets.count]
                guard usable(target) else { continue }
                let load = target.health.inFlight.load(ordering: .relaxed) * 1000 / target.config.weight
                if load < bestLoad {
                    best = target
                    bestLoad = load
                }
            }
            return best
        case .consistentHash:
            guard let key = input.hashKey, let ring else { return nextInSchedule(usable) }
            return ring.firstMember(from: StableHash.hash(key)) { usable(targets[$0]) }.map { targets[$0] }
        }
    }

    private func nextInSchedule(_ usable: (TargetRuntime) -> Bool) -> TargetRuntime? {
        let start = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        for offset in 0..<schedule.count {
            let target = targets[schedule[(start &+ offset) % schedule.count]]
            if usable(target) { return target }
        }
        return nil
    }
}
