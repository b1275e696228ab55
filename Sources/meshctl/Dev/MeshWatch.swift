import Foundation

/// Polls several nodes' member lists at once until each has met a condition, and remembers
/// when each first met it. A node is not asked again once it has met the condition.
struct MeshWatch {
    struct Node {
        let label: String
        let client: AdminClient
    }

    let nodes: [Node]
    let intervalSeconds: Double
    let condition: ([MemberRecord]) -> Bool

    /// When each node first met the condition, and the last member list seen from the others.
    struct Outcome {
        var metAt: [String: Date] = [:]
        var lastSeen: [String: [MemberRecord]] = [:]
        var lastError: [String: String] = [:]
    }

    /// Polls until every node met the condition (true), the deadline passed or `shouldStop` said so (false).
    func run(until deadline: Date, outcome: inout Outcome, shouldStop: () -> Bool = { false },
             onPoll: (Outcome) -> Void = { _ in }) -> Bool {
        while true {
            let pending = nodes.filter { outcome.metAt[$0.label] == nil }
            if pending.isEmpty { return true }
            if Date() >= deadline || shouldStop() { return false }
            let started = Date()
            let answers = pending.map { ($0, $0.client.send(.GET, "/v1/members")) }
            for (node, future) in answers {
                do {
                    let response = try future.wait()
                    let members = try MemberRecord.list(from: try node.client.decode(response, path: "/v1/members"))
                    let answeredAt = Date()
                    outcome.lastSeen[node.label] = members
                    outcome.lastError[node.label] = nil
                    if condition(members) { outcome.metAt[node.label] = answeredAt }
                } catch let error as CLIError {
                    outcome.lastError[node.label] = error.message
                } catch {
                    outcome.lastError[node.label] = node.client.describe(error).message
                }
            }
            onPoll(outcome)
            let rest = intervalSeconds - Date().timeIntervalSince(started)
            if rest > 0 { Thread.sleep(forTimeInterval: rest) }
        }
    }

    /// Every node sees exactly `count` members alive.
    static func alive(_ count: Int) -> ([MemberRecord]) -> Bool {
        { members in members.filter { $0.state == "alive" }.count == count }
    }

    /// Every node sees `name` in `state`; for dead and left, a node that dropped the member also counts.
    static func member(_ name: String, in state: String) -> ([MemberRecord]) -> Bool {
        { members in
            guard let member = members.first(where: { $0.name == name }) else { return state == "dead" || state == "left" }
            return member.state == state
        }
    }
}
