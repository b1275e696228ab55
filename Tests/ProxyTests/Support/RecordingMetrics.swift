import CoreMetrics
import Synchronization

/// A metrics backend that keeps counter totals and timer samples by label and dimensions.
final class RecordingMetrics: MetricsFactory, Sendable {
    private let counters = Mutex<[String: Int64]>([:])
    private let timers = Mutex<[String: Int]>([:])

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
    }

    func counter(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        counters.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    func timerSamples(_ label: String, _ dimensions: [(String, String)]) -> Int {
        timers.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        CounterBox(key: Self.key(label, dimensions), store: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        RecorderBox()
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        TimerBox(key: Self.key(label, dimensions), store: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func add(counter key: String, _ amount: Int64) { counters.withLock { $0[key, default: 0] += amount } }
    fileprivate func add(sample key: String) { timers.withLock { $0[key, default: 0] += 1 } }
}

private final class CounterBox: CounterHandler, Sendable {
    let key: String
    let store: RecordingMetrics
    init(key: String, store: RecordingMetrics) {
        self.key = key
        self.store = store
    }
    func increment(by amount: Int64) { store.add(counter: key, amount) }
    func reset() {}
}

private final class TimerBox: TimerHandler, Sendable {
    let key: String
    let store: RecordingMetrics
    init(key: String, store: RecordingMetrics) {
        self.key = key
        self.store = store
    }
    func recordNanoseconds(_ duration: Int64) { store.add(sample: key) }
}

private final class RecorderBox: RecorderHandler, Sendable {
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
}
