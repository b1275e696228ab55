/// What a queued update is about. A newer update for the same subject replaces the
/// queued one: membership updates are keyed by member name, user rumors by rumor subject.
enum BroadcastSubject: Hashable {
    case member(String)
    case rumor(String)
}

/// The transmit-limited broadcast queue: every update is piggybacked on outgoing packets
/// until it has been sent `limit` times; the least-sent updates go first, so fresh news
/// spreads before old news is repeated.
struct BroadcastQueue {
    struct Item {
        let subject: BroadcastSubject
        /// The encoded message, ready to append to a packet.
        let bytes: [UInt8]
        var transmits: Int
        /// Insertion order; among equally-sent items the newest goes first.
        let serial: UInt64
    }

    private(set) var items: [Item] = []
    private var slotBySubject: [BroadcastSubject: Int] = [:]
    private var nextSerial: UInt64 = 0
    private var order: [Int] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// Queues an update, replacing any queued update about the same subject.
    mutating func enqueue(_ subject: BroadcastSubject, bytes: [UInt8]) {
        nextSerial &+= 1
        let item = Item(subject: subject, bytes: bytes, transmits: 0, serial: nextSerial)
        if let slot = slotBySubject[subject] {
            items[slot] = item
        } else {
            slotBySubject[subject] = items.count
            items.append(item)
        }
    }

    func contains(_ subject: BroadcastSubject) -> Bool {
        slotBySubject[subject] != nil
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
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: items.indices)
        order.sort { a, b in
            let x = items[a], y = items[b]
            return x.transmits != y.transmits ? x.transmits < y.transmits : x.serial > y.serial
        }
        var appended = 0
        var spent: [Int] = []
        for slot in order {
            let size = items[slot].bytes.count
            guard packet.count + size <= budget else { continue }
            packet.append(contentsOf: items[slot].bytes)
            items[slot].transmits += 1
            appended += 1
            if items[slot].transmits >= limit { spent.append(slot) }
            if budget - packet.count < 8 { break }
        }
        if !spent.isEmpty {
            spent.sort(by: >)
            for slot in spent { remove(at: slot) }
        }
        return appended
    }

    mutating func remove(_ subject: BroadcastSubject) {
        if let slot = slotBySubject[subject] { remove(at: slot) }
    }

    private mutating func remove(at slot: Int) {
        slotBySubject[items[slot].subject] = nil
        let last = items.count - 1
        if slot != last {
            items[slot] = items[last]
            slotBySubject[items[slot].subject] = slot
        }
        items.removeLast()
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
