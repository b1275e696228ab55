/// Messages and bytes the nodes send, counted from the end of the warm-up, and the
/// node-seconds they were running over the same window, so that load reads per node
/// per second whatever the churn.
struct TrafficCounters {
    let windowStart: SimTime
    private(set) var datagrams = 0
    private(set) var datagramBytes = 0
    private(set) var streams = 0
    private(set) var streamBytes = 0
    private(set) var datagramsLost = 0
    private(set) var datagramsPartitioned = 0
    /// Streams whose handshake or request did not finish in time (loss, a partition).
    private(set) var streamsFailed = 0
    private(set) var nodeSeconds = 0.0
    private var lastChange: SimTime
    private var running = 0

    init(windowStart: SimTime) {
        self.windowStart = windowStart
        lastChange = windowStart
    }

    @inline(__always)
    mutating func sentDatagram(bytes: Int, at time: SimTime) {
        guard time >= windowStart else { return }
        datagrams += 1
        datagramBytes += bytes
    }

    /// One half of a push-pull exchange (the request or the reply).
    mutating func sentStream(bytes: Int, at time: SimTime) {
        guard time >= windowStart else { return }
        streams += 1
        streamBytes += bytes
    }

    mutating func lost(at time: SimTime) {
        if time >= windowStart { datagramsLost += 1 }
    }

    mutating func streamFailed(at time: SimTime) {
        if time >= windowStart { streamsFailed += 1 }
    }

    mutating func partitioned(at time: SimTime) {
        if time >= windowStart { datagramsPartitioned += 1 }
    }

    /// The number of running processes changes by `delta` at `time`.
    mutating func runningChanged(by delta: Int, at time: SimTime) {
        accumulate(until: time)
        running += delta
    }

    mutating func finish(at time: SimTime) {
        accumulate(until: time)
    }

    private mutating func accumulate(until time: SimTime) {
        guard time > lastChange else { return }
        nodeSeconds += Double(running) * (time - lastChange).seconds
        lastChange = time
    }

    var messagesPerNodePerSecond: Double {
        nodeSeconds > 0 ? Double(datagrams + streams) / nodeSeconds : 0
    }

    var bytesPerNodePerSecond: Double {
        nodeSeconds > 0 ? Double(datagramBytes + streamBytes) / nodeSeconds : 0
    }
}
