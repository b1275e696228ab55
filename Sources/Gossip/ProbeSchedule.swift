/// Randomized round-robin probe order (SWIM §4.3): every pass visits each live member
/// once, in a fresh random order; a member that joins mid-pass lands at a random
/// position among the members not yet visited in this pass.
struct ProbeSchedule<Entry: Equatable> {
    private var order: [Entry] = []
    private var position = 0

    var remainingInPass: Int { order.count - position }

    /// The next member to probe. `isEligible` drops members that died or were replaced since
    /// they were scheduled; `candidates` supplies the live members for a new pass.
    mutating func next<R: RandomNumberGenerator>(
        random: inout R, isEligible: (Entry) -> Bool, candidates: () -> [Entry]
    ) -> Entry? {
        for attempt in 0..<2 {
            while position < order.count {
                let id = order[position]
                position += 1
                if isEligible(id) { return id }
            }
            guard attempt == 0 else { break }
            order = candidates()
            order.shuffle(using: &random)
            position = 0
        }
        return nil
    }

    mutating func insert<R: RandomNumberGenerator>(_ id: Entry, random: inout R) {
        order.appendGrowingGently(id)
        let remaining = order.count - position
        guard remaining > 1 else { return }
        let target = position + Int.random(in: 0..<remaining, using: &random)
        order.swapAt(target, order.count - 1)
    }

    /// Every entry equal to `old` becomes `new`. O(N): for the rare moves of the member table.
    mutating func replace(_ old: Entry, with new: Entry) {
        for index in order.indices where order[index] == old { order[index] = new }
    }
}
