import ManagerCore
import NIOCore

extension TimeAmount {
    /// The config model's durations on NIO's clock.
    init(_ duration: Duration) { self = .nanoseconds(duration.nanoseconds) }
}
