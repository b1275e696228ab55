import Metrics
import Synchronization

/// A Prometheus counter and its running total, which the node reads in-process for the cache
/// stats: one increment counts both, so they always agree.
final class TalliedCounter: Sendable {
    private let counter: Counter
    private let tally = Atomic<Int>(0)

    init(_ counter: Counter) {
        self.counter = counter
    }

    func increment() {
        counter.increment()
        tally.wrappingAdd(1, ordering: .relaxed)
    }

    var total: Int { tally.load(ordering: .relaxed) }
}
