/// The simulated network between node slots: per-datagram loss, latency with
/// jitter, and partitions expressed as a group per slot (slots in different
/// groups cannot reach each other, by datagram or by stream).
struct VirtualNetwork {
    let loss: Double
    let latency: SimTime
    let jitter: Double
    private var random: SeededRandom
    /// Partition group of every slot; all zero when the network is whole.
    private(set) var group: [UInt8]
    private(set) var isPartitioned = false

    init(config: SimulationConfig.NetworkConfig, seed: UInt64, slots: Int) {
        loss = config.loss
        latency = .milliseconds(config.latencyMs)
        jitter = config.jitter
        random = SeededRandom(seed: seed, stream: 0x6E65_7477_6F72_6B)
        group = Array(repeating: 0, count: slots)
    }

    mutating func addSlot() {
        group.append(0)
    }

    @inline(__always)
    func reachable(_ a: Int, _ b: Int) -> Bool {
        !isPartitioned || group[a] == group[b]
    }

    /// Whether a datagram survives the network's loss.
    @inline(__always)
    mutating func delivers() -> Bool {
        loss == 0 || random.unit() >= loss
    }

    /// One-way delay of the next message.
    @inline(__always)
    mutating func delay() -> SimTime {
        guard jitter > 0, latency > 0 else { return latency }
        let factor = 1 + jitter * (2 * random.unit() - 1)
        return SimTime(Double(latency) * factor)
    }

    /// Splits the slots `0..<count` into groups of the given relative sizes, by index;
    /// slots added later (churn) are spread over the groups round-robin.
    mutating func partition(sizes: [Double], count: Int) {
        let total = sizes.reduce(0, +)
        var bounds: [Int] = []
        var acc = 0.0
        for size in sizes {
            acc += size
            bounds.append(Int((acc / total * Double(count)).rounded()))
        }
        for slot in group.indices {
            if slot < count {
                group[slot] = UInt8(bounds.firstIndex { slot < $0 } ?? sizes.count - 1)
            } else {
                group[slot] = UInt8(slot % sizes.count)
            }
        }
        isPartitioned = true
    }

    mutating func heal() {
        for i in group.indices { group[i] = 0 }
        isPartitioned = false
    }

    /// The group a slot added during a partition joins.
    mutating func assignNewSlot(_ slot: Int, groups: Int) {
        if isPartitioned { group[slot] = UInt8(slot % groups) }
    }
}
