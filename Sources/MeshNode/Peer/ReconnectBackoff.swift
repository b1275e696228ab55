import NIOCore

/// When a peer whose connections fail to open may be tried again: `initial` after the first
/// failure, doubling with each failure after it up to `maximum`. A session that opens forgets
/// the failures.
struct ReconnectBackoff: Sendable, Equatable {
    let initial: TimeAmount
    let maximum: TimeAmount
    private(set) var failures = 0
    /// No connection is tried before this.
    private(set) var retryAt = NIODeadline.uptimeNanoseconds(0)

    init(initial: TimeAmount, maximum: TimeAmount) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after this failure.
    var delay: TimeAmount {
        guard failures > 0 else { return .zero }
        let doubled = initial.nanoseconds.multipliedReportingOverflow(by: 1 << min(failures - 1, 62))
        return doubled.overflow ? maximum : min(.nanoseconds(doubled.partialValue), maximum)
    }

    mutating func failed(at now: NIODeadline) {
        failures += 1
        retryAt = now + delay
    }

    func allowsConnecting(at now: NIODeadline) -> Bool { now >= retryAt }
}
