/// How user rumors spread: for each one, when each node that was running at
/// injection first delivered it, and when the last of them (still running) did.
struct RumorTracker {
    struct Record {
        let subject: String
        let origin: Int
        let injected: SimTime
        /// Nodes running at injection that have neither delivered it nor stopped, by slot.
        var pending: [Bool]
        var missing: Int
        let targets: Int
        /// Delay from injection of every delivery, the origin's included, in order.
        var deliveries: [SimTime] = [0]
        var completed: SimTime?
    }

    private(set) var records: [Record] = []
    private var indexBySubject: [String: Int] = [:]

    mutating func injected(subject: String, origin: Int, at time: SimTime, running: [Bool]) {
        var pending = running
        pending[origin] = false
        let missing = pending.reduce(0) { $0 + ($1 ? 1 : 0) }
        let record = Record(subject: subject, origin: origin, injected: time, pending: pending,
                            missing: missing, targets: missing + 1,
                            completed: missing == 0 ? time : nil)
        indexBySubject[subject] = records.count
        records.append(record)
    }

    /// `slot` delivered the rumor `subject`.
    mutating func delivered(subject: String, at slot: Int, time: SimTime) {
        guard let index = indexBySubject[subject] else { return }
        records[index].deliveries.append(time - records[index].injected)
        settle(index, slot, time)
    }

    /// A process ended: it is no longer expected to deliver anything.
    mutating func nodeGone(slot: Int, at time: SimTime) {
        for index in records.indices where records[index].completed == nil {
            settle(index, slot, time)
        }
    }

    private mutating func settle(_ index: Int, _ slot: Int, _ time: SimTime) {
        guard records[index].pending.indices.contains(slot), records[index].pending[slot] else { return }
        records[index].pending[slot] = false
        records[index].missing -= 1
        if records[index].missing == 0 { records[index].completed = time }
    }

    var completionTimes: [SimTime] { records.compactMap { r in r.completed.map { $0 - r.injected } } }
    var incomplete: Int { records.filter { $0.completed == nil }.count }
}
