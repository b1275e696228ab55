/// What happens at one instant of virtual time.
enum SimEvent {
    /// A node's timer: call `tick` if `generation` is still the node's current one.
    case tick(slot: Int32, generation: UInt32)
    /// A datagram arrives at whatever process runs in `slot` by then.
    case datagram(slot: Int32, from: Int32, bytes: [UInt8])
    /// A stream's request reaches its server; the connection was made to process `epoch`,
    /// and the initiator waits for the reply until `replyBy`.
    case streamRequest(slot: Int32, epoch: UInt32, from: Int32, fromEpoch: UInt32, replyBy: SimTime, bytes: [UInt8])
    /// The server's reply reaches the initiator of a stream.
    case streamReply(slot: Int32, epoch: UInt32, from: Int32, bytes: [UInt8])
    /// A message reaches a slow node's inbox, to be handled once the messages ahead of it are.
    indirect case reachesInbox(slot: Int32, message: SimEvent)
    /// A new process starts in `slot` and joins.
    case start(slot: Int32)
    /// A node that left stops its process `epoch`.
    case stop(slot: Int32, epoch: UInt32)
    /// The fault schedule's entry at this index fires.
    case fault(index: Int32)
    /// A user rumor is broadcast by the rumor schedule's entry at this index.
    case rumor(index: Int32)
    /// The manager publishes config version `version`.
    case publishConfig(version: UInt32)
    /// A bundle fetch reaches its server; `attempt` names the fetcher's try, answered by `replyBy`.
    case fetchRequest(slot: Int32, epoch: UInt32, from: Int32, attempt: UInt32, version: UInt32, replyBy: SimTime)
    /// The bundle reaches the fetcher.
    case fetchReply(slot: Int32, attempt: UInt32, version: UInt32)
    /// The fetcher's try `attempt` may need a hedge: a second try beside it.
    case fetchHedge(slot: Int32, attempt: UInt32, hedge: UInt8)
    /// The fetcher's try `attempt` failed or timed out: it asks another holder.
    case fetchRetry(slot: Int32, attempt: UInt32)
}

/// A min-heap of events keyed by virtual time, then by insertion order, so that
/// two events at the same instant always run in the order they were scheduled.
///
/// The heap holds plain keys and the index of each event's cell; the events stay put in
/// their cells (reused once popped), so sifting moves no reference-counted payloads.
struct EventQueue {
    private struct Entry {
        var time: SimTime
        var sequence: UInt64
        var cell: Int32

        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var cells: [SimEvent?] = []
    private var freeCells: [Int32] = []
    private var nextSequence: UInt64 = 0

    init(capacity: Int = 1024) {
        heap.reserveCapacity(capacity)
        cells.reserveCapacity(capacity)
    }

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var nextTime: SimTime? { heap.first?.time }

    mutating func schedule(_ event: SimEvent, at time: SimTime) {
        let cell: Int32
        if let free = freeCells.popLast() {
            cell = free
            cells[Int(cell)] = event
        } else {
            cell = Int32(cells.count)
            cells.append(event)
        }
        heap.append(Entry(time: time, sequence: nextSequence, cell: cell))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    mutating func pop() -> (time: SimTime, event: SimEvent)? {
        guard !heap.isEmpty else { return nil }
        let last = heap.removeLast()
        var top = last
        if !heap.isEmpty {
            top = heap[0]
            heap[0] = last
            siftDown(0)
        }
        let event = cells[Int(top.cell)].take()!
        freeCells.append(top.cell)
        return (top.time, event)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    private mutating func siftDown(_ start: Int) {
        let count = heap.count
        var parent = start
        let entry = heap[parent]
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && heap[right].precedes(heap[left]) ? right : left
            guard heap[child].precedes(entry) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = entry
    }
}
