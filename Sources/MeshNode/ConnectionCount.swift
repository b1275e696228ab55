import NIOCore
import Synchronization

/// Connections of one kind held open at once, up to a limit.
final class ConnectionCount: Sendable {
    let limit: Int
    private let value = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// A place for `channel` that is given back when it closes, or nil at the limit.
    func acquire(closing channel: any Channel) -> ConnectionSlot? {
        let now = value.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            value.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        let slot = ConnectionSlot(count: self)
        channel.closeFuture.whenComplete { _ in slot.release() }
        return slot
    }

    fileprivate func release() { value.wrappingSubtract(1, ordering: .relaxed) }
}

/// One connection's place in a `ConnectionCount`: given back once, when the connection
/// closes or moves to another count (a stream that becomes a session).
final class ConnectionSlot: Sendable {
    private let count: ConnectionCount
    private let held = Atomic<Bool>(true)

    init(count: ConnectionCount) { self.count = count }

    func release() {
        if held.exchange(false, ordering: .relaxed) { count.release() }
    }
}

/// The TCP connections accepted and still open.
final class AcceptedConnections: Sendable {
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        open.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in _ = self.open.withLock { $0.removeValue(forKey: id) } }
    }

    func all() -> [any Channel] { open.withLock { Array($0.values) } }
}
