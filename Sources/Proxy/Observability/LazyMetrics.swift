import Synchronization

/// Metric handles registered on their first use, once: a config of ten thousand routes
/// registers series only for the routes that see traffic (each new series costs the registry
/// more as a family grows).
///
/// The handles are held as an atomic `Unmanaged` reference rather than an
/// `AtomicLazyReference`, whose `load()` is not inlined: every call looked up the generic
/// metadata of its `Unmanaged`, several hundred instructions on each request. The slot owns
/// one retain of the handles from the moment they are stored until it is deinitialized;
/// a load hands out a strong reference of its own, valid for as long as the caller keeps it.
final class LazyMetrics<Handles: AnyObject & Sendable>: Sendable {
    private let make: @Sendable () -> Handles
    private let reference = Atomic<Unmanaged<Handles>?>(nil)

    init(_ make: @escaping @Sendable () -> Handles) {
        self.make = make
    }

    deinit {
        reference.load(ordering: .acquiring)?.release()
    }

    var handles: Handles {
        if let registered { return registered }
        let made = Unmanaged.passRetained(make())
        let (stored, winner) = reference.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
        if stored { return made.takeUnretainedValue() }
        // Another thread registered them first: theirs are the handles, these are dropped.
        made.release()
        return winner!.takeUnretainedValue()
    }

    /// The handles when they were registered; nil before their first use.
    var registered: Handles? { reference.load(ordering: .acquiring)?.takeUnretainedValue() }
}
