import DequeModule

/// Rejects sealed messages that were seen before or are too old to tell.
///
/// Every envelope carries, inside its sealed payload, the sender's wall-clock time
/// in milliseconds, and a random 24-byte nonce. A message is accepted when its time
/// lies within `window` of the local clock and its nonce was not seen in that window.
/// At most `capacity` nonces are remembered; when one is forgotten early, the guard
/// raises its floor to that nonce's time, so nothing older than what it still
/// remembers gets through: memory stays bounded and no replay is ever accepted.
public struct ReplayGuard: Sendable {
    public enum Verdict: Equatable, Sendable {
        case fresh
        case replayed
        case outsideWindow
    }

    struct NonceID: Hashable, Sendable {
        let a: UInt64, b: UInt64, c: UInt64
        init(_ nonce: some Collection<UInt8>) {
            var words: [UInt64] = [0, 0, 0]
            for (i, byte) in nonce.prefix(24).enumerated() {
                words[i / 8] = words[i / 8] << 8 | UInt64(byte)
            }
            (a, b, c) = (words[0], words[1], words[2])
        }
    }

    public let windowMillis: Int64
    public let capacity: Int
    private var seen: Set<NonceID> = []
    private var order: Deque<(id: NonceID, sentAt: Int64)> = []
    private var floorMillis: Int64 = .min

    public init(windowMillis: Int64 = 60_000, capacity: Int = 65_536) {
        self.windowMillis = windowMillis
        self.capacity = capacity
    }

    public var rememberedCount: Int { seen.count }

    public mutating func check(nonce: some Collection<UInt8>, sentAtMillis: Int64, nowMillis: Int64) -> Verdict {
        expire(nowMillis: nowMillis)
        guard abs(nowMillis - sentAtMillis) <= windowMillis, sentAtMillis > floorMillis else {
            return .outsideWindow
        }
        let id = NonceID(nonce)
        guard seen.insert(id).inserted else { return .replayed }
        order.append((id, sentAtMillis))
        while order.count > capacity, let dropped = order.popFirst() {
            seen.remove(dropped.id)
            floorMillis = max(floorMillis, dropped.sentAt)
        }
        return .fresh
    }

    private mutating func expire(nowMillis: Int64) {
        while let first = order.first, first.sentAt < nowMillis - windowMillis {
            order.removeFirst()
            seen.remove(first.id)
        }
    }
}
