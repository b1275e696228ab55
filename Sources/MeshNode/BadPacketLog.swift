import Logging

/// Logs a bad packet once per source and kind per interval, not once per packet, and counts
/// how many it kept quiet about.
struct BadPacketLog {
    let interval: Duration
    private var lastLogged: [String: ContinuousClock.Instant] = [:]
    private var suppressed: [String: Int] = [:]

    init(interval: Duration = .seconds(60)) { self.interval = interval }

    mutating func record(source: String, reason: String, logger: Logger, now: ContinuousClock.Instant = .now) {
        let key = source + "|" + reason
        if let last = lastLogged[key], now - last < interval {
            suppressed[key, default: 0] += 1
            return
        }
        let quiet = suppressed.removeValue(forKey: key) ?? 0
        lastLogged[key] = now
        logger.warning("dropped bad packet", metadata: [
            "source": "\(source)", "reason": "\(reason)", "suppressed_since_last": "\(quiet)",
        ])
        if lastLogged.count > 4096 {
            lastLogged = lastLogged.filter { now - $0.value < interval }
        }
    }
}
