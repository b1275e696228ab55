import CoreMetrics
import Synchronization

/// A metrics backend that keeps counter totals, timer samples and meter (gauge) values with
/// their peak, by label and dimensions.
final class RecordingMetrics: MetricsFactory, Sendable {
    private let counters = Mutex<[String: Int64]>([:])
    private let timers = Mutex<[String: Int]>([:])
    private let meters = Mutex<[String: (value: Double, peak: Double)]>([:])

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
    }

    func counter(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        counters.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    func timerSamples(_ label: String, _ dimensions: [(String, String)]) -> Int {
        timers.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    func meter(_ label: String, _ dimensions: [(String, String)] = []) -> Int {
        Int(meters.withLock { $0[Self.key(label, dimensions)]?.value ?? 0 })
    }

    func meterPeak(_ label: String, _ dimensions: [(String, String)] = []) -> Int {
        Int(meters.withLock { $0[Self.key(label, dimensions)]?.peak ?? 0 })
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

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        MeterBox(key: Self.key(label, dimensions), store: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func add(counter key: String, _ amount: Int64) { counters.withLock { $0[key, default: 0] += amount } }
    fileprivate func add(sample key: String) { timers.withLock { $0[key, default: 0] += 1 } }

    fileprivate func update(meter key: String, _ change: (Double) -> Double) {
        meters.withLock { all in
            let current = all[key] ?? (0, 0)
            let value = change(current.value)
            all[key] = (value, max(current.peak, value))
        }
    }
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

private final class MeterBox: MeterHandler, Sendable {
    let key: String
    let store: RecordingMetrics
    init(key: String, store: RecordingMetrics) {
        self.key = key
        self.store = store
    }
    func set(_ value: Int64) { store.update(meter: key) { _ in Double(value) } }
    func set(_ value: Double) { store.update(meter: key) { _ in value } }
    func increment(by amount: Double) { store.update(meter: key) { $0 + amount } }
    func decrement(by amount: Double) { store.update(meter: key) { $0 - amount } }
}

private final class RecorderBox: RecorderHandler, Sendable {
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
}
