import Synchronization

/// Metric handles registered on their first use, once: a config of ten thousand routes
/// registers series only for the routes that see traffic (each new series costs the registry
/// more as a family grows).
final class LazyMetrics<Handles: AnyObject & Sendable>: Sendable {
    private let make: @Sendable () -> Handles
    private let reference = AtomicLazyReference<Handles>()

    init(_ make: @escaping @Sendable () -> Handles) {
        self.make = make
    }

    var handles: Handles { reference.load() ?? reference.storeIfNil(make()) }

    /// The handles when they were registered; nil before their first use.
    var registered: Handles? { reference.load() }
}
