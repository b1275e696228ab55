#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lifeguard dogpile suspicion timer for one suspected member. The timeout starts at its
/// maximum and shrinks toward the minimum as independent suspecters confirm:
/// timeout(c) = max(min, max − (max − min) · log(c + 1) / log(k + 1)),
/// where c counts confirmations beyond the first suspecter and k is how many are expected.
struct Suspicion {
    let start: Instant
    let minimum: Duration
    let maximum: Duration
    let expectedConfirmations: Int
    /// The names of every node that suspects the member, first suspecter included.
    private(set) var suspecters: [String]

    init(start: Instant, minimum: Duration, maximum: Duration, expectedConfirmations: Int, suspecters: [String]) {
        self.start = start
        self.minimum = minimum
        self.maximum = Swift.max(minimum, maximum)
        self.expectedConfirmations = Swift.max(0, expectedConfirmations)
        var unique: [String] = []
        for name in suspecters where !unique.contains(name) { unique.append(name) }
        self.suspecters = unique
    }

    var confirmations: Int { Swift.max(0, suspecters.count - 1) }

    var timeout: Duration {
        Suspicion.timeout(confirmations: confirmations, expected: expectedConfirmations, minimum: minimum, maximum: maximum)
    }

    static func timeout(confirmations: Int, expected: Int, minimum: Duration, maximum: Duration) -> Duration {
        guard expected > 0, maximum > minimum else { return minimum }
        let fraction = Swift.min(1, log(Double(confirmations + 1)) / log(Double(expected + 1)))
        let span = Double((maximum - minimum).nanoseconds)
        let shrunk = Duration.nanoseconds(maximum.nanoseconds - Int64(span * fraction))
        return Swift.max(minimum, shrunk)
    }

    /// Records an independent suspecter; returns true when the name is new (a confirmation).
    @discardableResult
    mutating func confirm(by name: String) -> Bool {
        guard !suspecters.contains(name) else { return false }
        suspecters.append(name)
        return true
    }
}
