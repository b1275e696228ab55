/// One member as the admin API reports it, read leniently so that fields later modules add stay optional.
struct MemberRecord {
    let raw: [String: Any]

    var name: String { raw["name"] as? String ?? "" }
    var address: String { raw["address"] as? String ?? "" }
    var state: String { raw["state"] as? String ?? "" }
    var tags: [String: String] { raw["tags"] as? [String: String] ?? [:] }
    var role: String { raw["role"] as? String ?? tags["role"] ?? "worker" }
    var incarnation: String { (raw["incarnation"] as? NSNumberConvertible)?.decimalText ?? "" }
    var configVersion: String? { (raw["config_version"] as? NSNumberConvertible)?.decimalText ?? raw["config_version"] as? String }
    /// Versions behind the newest of the member's environment, as the node computed it.
    var configLag: String? { (raw["config_lag"] as? NSNumberConvertible)?.decimalText }
    var cache: [String: Any]? { raw["cache"] as? [String: Any] }

    /// Reads the `members` array of an admin API answer; a missing or malformed array is an error.
    static func list(from object: [String: Any]) throws -> [MemberRecord] {
        guard let members = object["members"] as? [[String: Any]] else {
            throw CLIError("unexpected answer from meshd: no \"members\" array")
        }
        let records = members.map(MemberRecord.init(raw:))
        if let bad = records.first(where: { $0.name.isEmpty || $0.state.isEmpty }) {
            throw CLIError("unexpected answer from meshd: a member without name or state: \(bad.raw)")
        }
        return records.sorted { $0.name < $1.name }
    }
}
