import ManagerCore
import NIOCore
import Synchronization

/// Health of one target as every event loop sees it: passive (consecutive failures
/// eject it for a cool-down, after which one request tries it again, like a circuit
/// breaker half-open) and active (the health checker's verdict).
final class TargetHealth: Sendable {
    private let consecutiveFailures = Atomic<Int>(0)
    private let ejectedUntil = Atomic<Int64>(0)
    private let activelyDown = Atomic<Bool>(false)
    /// Requests in flight to this target, for least-connections balancing.
    let inFlight = Atomic<Int>(0)

    func isAvailable(now: NIODeadline) -> Bool {
        !activelyDown.load(ordering: .relaxed) && ejectedUntil.load(ordering: .relaxed) <= Int64(now.uptimeNanoseconds)
    }

    /// Returns true when this failure ejected the target.
    func recordFailure(now: NIODeadline, policy: PassiveHealth) -> Bool {
        let failures = consecutiveFailures.wrappingAdd(1, ordering: .relaxed).newValue
        guard failures >= policy.maxFailures else { return false }
        let until = Int64(now.uptimeNanoseconds) + policy.coolDown.nanoseconds
        let previous = ejectedUntil.exchange(until, ordering: .relaxed)
        return previous <= Int64(now.uptimeNanoseconds)
    }

    func recordSuccess() {
        if consecutiveFailures.load(ordering: .relaxed) != 0 {
            consecutiveFailures.store(0, ordering: .relaxed)
            ejectedUntil.store(0, ordering: .relaxed)
        }
    }

    func setActivelyDown(_ down: Bool) { activelyDown.store(down, ordering: .relaxed) }
    var isActivelyDown: Bool { activelyDown.load(ordering: .relaxed) }
}
