import Foundation
import Synchronization

/// Watches several nodes' member lists in the background and records every moment one of the
/// watched members was seen in any state but alive.
final class MembershipMonitor: Sendable {
    private let watchers: [(name: String, admin: AdminHTTP)]
    private let names: Set<String>
    private let sightings = Mutex<[String]>([])
    private let running = Mutex(true)
    private let finished = DispatchSemaphore(value: 0)

    init(_ nodes: [MeshdNode]) {
        watchers = nodes.map { ($0.name, $0.admin) }
        names = Set(nodes.map(\.name))
        Thread.detachNewThread { [self] in
            while running.withLock({ $0 }) {
                for watcher in watchers {
                    guard let members = try? watcher.admin.members() else {
                        sightings.withLock { $0.append("\(watcher.name) did not answer") }
                        continue
                    }
                    for member in members where names.contains(member.name) && member.state != "alive" {
                        sightings.withLock { $0.append("\(watcher.name) saw \(member.name) \(member.state)") }
                    }
                    let missing = names.subtracting(members.map(\.name))
                    if !missing.isEmpty {
                        sightings.withLock { $0.append("\(watcher.name) lost \(missing.sorted())") }
                    }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            finished.signal()
        }
    }

    /// Stops watching and returns what was seen.
    func stop() -> [String] {
        running.withLock { $0 = false }
        finished.wait()
        return sightings.withLock { $0 }
    }
}
