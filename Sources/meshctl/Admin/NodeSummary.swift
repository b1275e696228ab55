/// The first line of `meshctl status`: which node answered, and how it is doing.
struct NodeSummary {
    let line: String

    init(_ node: [String: Any]) {
        var parts = ["node \(node["name"] as? String ?? "?")"]
        if let address = node["address"] as? String { parts.append("at \(address)") }
        if let role = node["role"] as? String { parts.append("role \(role)") }
        if let profile = node["profile"] as? String { parts.append("profile \(profile)") }
        if let version = node["version"] as? String { parts.append("version \(version)") }
        if let uptime = numberValue(node["uptime_s"]) { parts.append("up \(Int(uptime))s") }
        if let health = numberValue(node["health_score"]) { parts.append("health \(Int(health))") }
        line = parts.joined(separator: ", ")
    }
}

/// The last line of the member tables: how many members are in each state.
struct MembershipCount {
    let line: String

    init(_ members: [MemberRecord]) {
        let states = ["alive", "suspect", "dead", "left"]
        let counts = states.map { state in members.filter { $0.state == state }.count }
        let described = zip(states, counts).filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
        line = "\(members.count) members" + (described.isEmpty ? "" : ": " + described.joined(separator: ", "))
    }
}
