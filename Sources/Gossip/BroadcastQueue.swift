/// What a queued update is about. A newer update for the same subject replaces the
/// queued one: membership updates are keyed by member name, user rumors by rumor subject.
enum BroadcastSubject: Hashable {
    case member(String)
    case rumor(String)
}

/// Which queued updates a packet carries first: every refutation, then the rest of the
/// urgent news, then plain news.
enum BroadcastPriority: Int, CaseIterable {
    /// An alive record that refutes a suspicion or a death: it stops a timer on every node
    /// that holds the suspicion, so no other news may hold it back.
    case refutation
    /// Suspicions, deaths, leaves and urgent rumors.
    case urgent
    /// Join announcements, updates of tags and metadata, plain rumors.
    case plain
}

/// The transmit-limited broadcast queue: every update is piggybacked on outgoing packets
/// until it has been sent `limit` times. Updates go by priority (refutations, urgent news,
/// plain news), then the least-sent first (the newest first among equals), so fresh news
/// spreads before old news is repeated, a flood of fresh plain news (a mass join) cannot
/// hold back urgent news after its first send, and a stream of fresh suspicions and
/// confirmations (a mass start with slow nodes) cannot hold back a refutation.
///
/// Items sit in buckets by transmit count, so filling a packet touches only the items
/// it takes, never sorts the whole queue. An item holds its encoded message by reference:
/// the alive record of a shared announcement (`MemberProfile.aliveRecord`) is stored once
/// for every queue that holds it.
struct BroadcastQueue {
    struct Item {
        let subject: BroadcastSubject
        /// The encoded message, ready to append to a packet.
        let bytes: [UInt8]
        /// `bytes.count`, kept beside the item: filling a packet weighs items it does not
        /// take, and the count of a shared record lives with its bytes, elsewhere in memory.
        let size: Int32
        var transmits: Int32
        /// Position in its bucket.
        var position: Int32
        let priority: BroadcastPriority

        var bucket: Int { Int(transmits) * BroadcastQueue.priorities + priority.rawValue }
    }

    /// Queued updates beyond this make room by dropping the one sent most often.
    let depthLimit: Int
    private var items: [Item] = []
    /// The encoded size of every queued update together.
    private(set) var queuedBytes = 0
    private var slotBySubject = SlotIndex()
    /// buckets[3t + p]: the items of priority p sent t times, oldest first.
    private var buckets: [[Int32]] = []
    private var chosen: [Int] = []

    private static let priorities = BroadcastPriority.allCases.count

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    init(depthLimit: Int = .max) {
        self.depthLimit = max(1, depthLimit)
    }

    /// Queues an update, replacing any queued update about the same subject.
    mutating func enqueue(_ subject: BroadcastSubject, bytes: [UInt8], priority: BroadcastPriority = .plain) {
        remove(subject)
        if items.count >= depthLimit { dropMostSent() }
        let slot = items.count
        items.appendGrowingGently(Item(subject: subject, bytes: bytes, size: Int32(bytes.count), transmits: 0, position: 0, priority: priority))
        queuedBytes += bytes.count
        do {
            // A closure over `self` while its index changes would make Swift copy the index.
            let items = self.items
            slotBySubject.set(slot, hash: subject.hashValue, matches: { items[$0].subject == subject },
                              hashOf: { items[$0].subject.hashValue })
        }
        place(slot)
    }

    func transmits(of subject: BroadcastSubject) -> Int? {
        slot(of: subject).map { Int(items[$0].transmits) }
    }

    /// Appends queued messages to `packet`, by priority, least-sent first, while the packet stays within
    /// `budget` bytes in total. Each appended item counts one transmission; items that
    /// reach `limit` leave the queue. Returns how many messages were appended.
    @discardableResult
    mutating func fill(_ packet: inout [UInt8], budget: Int, limit: Int) -> Int {
        guard !items.isEmpty, packet.count < budget else { return 0 }
        chosen.removeAll(keepingCapacity: true)
        var misses = 0
        // Each priority's buckets in turn, by transmit count.
        scan: for priority in 0..<BroadcastQueue.priorities {
            for bucket in stride(from: priority, to: buckets.count, by: BroadcastQueue.priorities)
            where !buckets[bucket].isEmpty {
                var index = buckets[bucket].count - 1
                while index >= 0 {
                    let slot = Int(buckets[bucket][index])
                    index -= 1
                    let size = Int(items[slot].size)
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
        }
        // Highest slot first: a removal moves the last item down into the freed slot, and
        // every chosen slot above it has been dealt with already.
        chosen.sort(by: >)
        for slot in chosen { countTransmission(slot, limit: limit) }
        return chosen.count
    }

    /// A peer sent this node plain news that it holds queued: the peer is spreading it too,
    /// so while more is queued than `backlog` bytes (what one gossip round carries), the
    /// copy counts as one of this node's own transmissions, as Trickle (RFC 6206) holds
    /// back a send that others have made. A mass start of N nodes queues up to N
    /// announcements at every node, each to be sent λ·⌈log10(N+1)⌉ times; every send is
    /// some node's receipt, so on average a node hears as many copies as it sends, and the
    /// nodes that learned late hear the most. A queue that fits in one round keeps every
    /// send, as do refutations and urgent news: a node that holds a suspicion may not have
    /// heard the copies this node hears.
    mutating func heardCopy(of subject: BroadcastSubject, limit: Int, backlog: Int) {
        guard queuedBytes > backlog, let slot = slot(of: subject), items[slot].priority == .plain else { return }
        countTransmission(slot, limit: limit)
    }

    /// One more transmission of the item at `slot`; at `limit` it leaves the queue.
    private mutating func countTransmission(_ slot: Int, limit: Int) {
        let sent = items[slot].transmits + 1
        if Int(sent) >= limit {
            remove(at: slot)
        } else {
            unplace(slot)
            items[slot].transmits = sent
            place(slot)
        }
    }

    mutating func remove(_ subject: BroadcastSubject) {
        guard let slot = slot(of: subject) else { return }
        remove(at: slot)
    }

    private func slot(of subject: BroadcastSubject) -> Int? {
        // A local reference: a closure over `self` would make Swift copy the whole queue.
        let items = items
        return slotBySubject.find(hash: subject.hashValue) { items[$0].subject == subject }
    }

    /// Drops the update sent most often (the oldest among equals) of the lowest priority queued.
    private mutating func dropMostSent() {
        for priority in (0..<BroadcastQueue.priorities).reversed() {
            var bucket = buckets.count - 1
            while bucket >= 0 {
                if bucket % BroadcastQueue.priorities == priority, let oldest = buckets[bucket].first {
                    remove(at: Int(oldest))
                    return
                }
                bucket -= 1
            }
        }
    }

    private mutating func remove(at slot: Int) {
        do {
            let items = self.items
            slotBySubject.remove(slot, hash: items[slot].subject.hashValue, hashOf: { items[$0].subject.hashValue })
        }
        unplace(slot)
        queuedBytes -= Int(items[slot].size)
        let last = items.count - 1
        if slot != last {
            // Move the last item into the freed slot and repoint its index and bucket entries.
            slotBySubject.repoint(last, to: slot, hash: items[last].subject.hashValue)
            items[slot] = items[last]
            buckets[items[slot].bucket][Int(items[slot].position)] = Int32(slot)
        }
        items.removeLast()
    }

    private mutating func place(_ slot: Int) {
        let bucket = items[slot].bucket
        while buckets.count <= bucket { buckets.append([]) }
        items[slot].position = Int32(buckets[bucket].count)
        buckets[bucket].append(Int32(slot))
    }

    private mutating func unplace(_ slot: Int) {
        let bucket = items[slot].bucket
        let position = Int(items[slot].position)
        let lastSlot = Int(buckets[bucket].removeLast())
        if lastSlot != slot {
            buckets[bucket][position] = Int32(lastSlot)
            items[lastSlot].position = Int32(position)
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
