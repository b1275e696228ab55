/// Every running node's view of every other running node, kept up to date from
/// membership events, so the simulator knows the first instant at which all
/// views are complete: every running node sees every other running node alive.
///
/// It costs one byte per (observer, subject) pair, so large runs without a
/// partition leave it off.
struct ViewTracker {
    private let capacity: Int
    /// believesAlive[observer * capacity + subject]
    private var believesAlive: [Bool]
    /// How many running subjects each observer believes alive.
    private var aliveCount: [Int]
    private var running: [Bool]
    private var runningCount = 0
    private var completeObservers = 0

    init(capacity: Int) {
        self.capacity = capacity
        believesAlive = Array(repeating: false, count: capacity * capacity)
        aliveCount = Array(repeating: 0, count: capacity)
        running = Array(repeating: false, count: capacity)
    }

    /// Whether every running node sees every other running node alive.
    var isComplete: Bool { runningCount > 0 && completeObservers == runningCount }

    mutating func started(slot: Int) {
        running[slot] = true
        runningCount += 1
        recount()
    }

    mutating func stopped(slot: Int) {
        running[slot] = false
        runningCount -= 1
        for observer in 0..<capacity where believesAlive[observer * capacity + slot] {
            believesAlive[observer * capacity + slot] = false
            aliveCount[observer] -= 1
        }
        for subject in 0..<capacity where believesAlive[slot * capacity + subject] {
            believesAlive[slot * capacity + subject] = false
        }
        aliveCount[slot] = 0
        recount()
    }

    /// `observer` now believes the current process of `subject` is alive (or not).
    mutating func observed(observer: Int, subject: Int, alive: Bool) {
        guard observer != subject, running[subject], running[observer] else { return }
        let cell = observer * capacity + subject
        guard believesAlive[cell] != alive else { return }
        let wasComplete = aliveCount[observer] == runningCount - 1
        believesAlive[cell] = alive
        aliveCount[observer] += alive ? 1 : -1
        let isComplete = aliveCount[observer] == runningCount - 1
        if wasComplete != isComplete { completeObservers += isComplete ? 1 : -1 }
    }

    private mutating func recount() {
        completeObservers = 0
        for slot in 0..<capacity where running[slot] && aliveCount[slot] == runningCount - 1 {
            completeObservers += 1
        }
    }
}
