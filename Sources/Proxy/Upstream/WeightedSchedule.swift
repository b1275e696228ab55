/// Smooth weighted round robin (as in nginx), unrolled once into a fixed schedule:
/// every window of `sum(weights)` picks holds each index exactly `weight` times, interleaved.
enum WeightedSchedule {
    static func make(weights: [Int]) -> [Int] {
        let positive = weights.filter { $0 > 0 }
        guard !positive.isEmpty else { return [] }
        let divisor = positive.reduce(positive[0]) { gcd($0, $1) }
        var scaled = weights.map { $0 / divisor }
        var total = scaled.reduce(0, +)
        if total > 10_000 {
            scaled = scaled.map { $0 == 0 ? 0 : max(1, $0 * 10_000 / total) }
            total = scaled.reduce(0, +)
        }
        var current = [Int](repeating: 0, count: scaled.count)
        var schedule: [Int] = []
        schedule.reserveCapacity(total)
        for _ in 0..<total {
            var best = -1
            for i in scaled.indices where scaled[i] > 0 {
                current[i] += scaled[i]
                if best < 0 || current[i] > current[best] { best = i }
            }
            current[best] -= total
            schedule.append(best)
        }
        return schedule
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
