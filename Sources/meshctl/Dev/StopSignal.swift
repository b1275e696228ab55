import Foundation
import Synchronization

private let pendingStopSignal = Atomic<Int32>(0)

/// Ctrl-C, SIGTERM and SIGHUP ask `dev up` to stop its mesh; the handler only records the signal.
enum StopSignal {
    static func install() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number) { pendingStopSignal.store($0, ordering: .relaxed) }
        }
    }

    static var received: Bool { pendingStopSignal.load(ordering: .relaxed) != 0 }
}
