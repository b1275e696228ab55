/// What a queued update is about. A newer update for the same subject replaces the
/// queued one: membership updates are keyed by member name, user rumors by rumor subject.
enum BroadcastSubject: Hashable {
    case member(String)
    case rumor(String)
}

/// The transmit-limited broadcast queue: every update is piggybacked on outgoing packets
/// until it has been sent `limit` times; the least-sent updates go first (the newest
/// first among equals), so fresh news spreads before old news is repeated.
///
/// Items sit in buckets by transmit count, so filling a packet touches only the items
/// it takes, never sorts the whole queue.
struct BroadcastQueue {
    struct Item {
        let subject: BroadcastSubject
        /// The encoded message, ready to append to a packet.
        let bytes: [UInt8]
        var transmits: Int
        /// Urgent news (suspicions, deaths, refutations, urgent rumors) goes before the rest.
        let urgent: Bool
        /// Position in its bucket.
        var position: Int

        var bucket: Int { transmits * 2 + (urgent ? 0 : 1) }
    }

    private var items: [Item] = []
    private var slotBySubject: [BroadcastSubject: Int] = [:]
    /// buckets[2t]: urgent items sent t times; buckets[2t + 1]: the others; oldest first.
    private var buckets: [[Int]] = []
    private var chosen: [Int] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// Queues an update, replacing any queued update about the same subject.
    mutating func enqueue(_ subject: BroadcastSubject, bytes: [UInt8], urgent: Bool = false) {
        remove(subject)
        let slot = items.count
        items.append(Item(subject: subject, bytes: bytes, transmits: 0, urgent: urgent, position: 0))
        slotBySubject[subject] = slot
        place(slot)
    }

    func transmits(of subject: BroadcastSubject) -> Int? {
        slotBySubject[subject].map { items[$0].transmits }
    }

    /// Appends queued messages to `packet`, least-sent first, while the packet stays within
    /// `budget` bytes in total. Each appended item counts one transmission; items that
    /// reach `limit` leave the queue. Returns how many messages were appended.
    @discardableResult
    mutating func fill(_ packet: inout [UInt8], budget: Int, limit: Int) -> Int {
        guard !items.isEmpty, packet.count < budget else { return 0 }
        chosen.removeAll(keepingCapacity: true)
        var misses = 0
        scan: for bucket in buckets.indices where !buckets[bucket].isEmpty {
            var index = buckets[bucket].count - 1
            while index >= 0 {
                let slot = buckets[bucket][index]
                index -= 1
                let size = items[slot].bytes.count
                if packet.count + size <= budget {
                    packet.append(contentsOf: items[slot].bytes)
                    chosen.append(slot)
                    misses = 0
                } else {
                    misses += 1
                }
                if budget - packet.count < 8 || misses > 16 { break scan }
            }
        }
        // Highest slot first: a removal moves the last item down into the freed slot, and
        // every chosen slot above it has been dealt with already.
        chosen.sort(by: >)
        for slot in chosen {
            let sent = items[slot].transmits + 1
            if sent >= limit {
                remove(at: slot)
            } else {
                unplace(slot)
                items[slot].transmits = sent
                place(slot)
            }
        }
        return chosen.count
    }

    mutating func remove(_ subject: BroadcastSubject) {
        guard let slot = slotBySubject[subject] else { return }
        remove(at: slot)
    }

    private mutating func remove(at slot: Int) {
        slotBySubject[items[slot].subject] = nil
        unplace(slot)
        let last = items.count - 1
        if slot != last {
            // Move the last item into the freed slot and repoint its bucket entry.
            items[slot] = items[last]
            slotBySubject[items[slot].subject] = slot
            buckets[items[slot].bucket][items[slot].position] = slot
        }
        items.removeLast()
    }

    private mutating func place(_ slot: Int) {
        let bucket = items[slot].bucket
        while buckets.count <= bucket { buckets.append([]) }
        items[slot].position = buckets[bucket].count
        buckets[bucket].append(slot)
    }

    private mutating func unplace(_ slot: Int) {
        let bucket = items[slot].bucket
        let position = items[slot].position
        let lastSlot = buckets[bucket].removeLast()
        if lastSlot != slot {
            buckets[bucket][position] = lastSlot
            items[lastSlot].position = position
        }
    }

    /// λ · ⌈log10(N + 1)⌉ transmissions for a cluster of `clusterSize` live members.
    static func retransmitLimit(multiplier: Int, clusterSize: Int) -> Int {
        let n = max(0, clusterSize) + 1
        var digits = 0
        var power = 1
        while power < n { power *= 10; digits += 1 }
        return max(1, multiplier * max(1, digits))
    }
}
