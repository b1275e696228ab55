/// Virtual time of a run, in nanoseconds since the run started.
public typealias SimTime = UInt64

extension SimTime {
    static func seconds(_ s: Double) -> SimTime { SimTime((s * 1e9).rounded()) }
    static func milliseconds(_ ms: Double) -> SimTime { SimTime((ms * 1e6).rounded()) }
    var seconds: Double { Double(self) / 1e9 }
}
