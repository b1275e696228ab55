/// The `meshctl status` table: one row per member, sorted by name, blank where a figure is unknown.
enum StatusTable {
    static let header = ["NAME", "ADDRESS", "ROLE", "REGION", "ZONE", "ENV", "STATE", "INC", "CONFIG", "LAG", "CACHE", "HIT%"]

    static func render(_ members: [MemberRecord]) -> String {
        let newest = members.compactMap { $0.configVersion.flatMap(versionNumber) }.max()
        var table = TextTable(header: header)
        for member in members {
            let tags = member.tags
            table.rows.append([
                member.name, member.address, member.role,
                tags["region"] ?? "", tags["zone"] ?? "", tags["env"] ?? "",
                member.state, member.incarnation,
                member.configVersion ?? "", lag(member, newest: newest),
                cacheShare(member.cache), hitRate(member.cache),
            ])
        }
        return table.render()
    }

    /// How many config versions a member is behind the newest of its environment (the node's
    /// `config_lag`; from older nodes, the newest any member reports).
    static func lag(_ member: MemberRecord, newest: Int?) -> String {
        if let lag = member.configLag { return lag }
        guard let newest, let version = member.configVersion.flatMap(versionNumber) else { return "" }
        return String(newest - version)
    }

    /// Config versions are numbered, optionally with a leading "v" ("12", "v12").
    static func versionNumber(_ version: String) -> Int? {
        Int(version.hasPrefix("v") ? String(version.dropFirst()) : version)
    }

    /// The member's share of the cache ring (`share`, a fraction) or, failing that, its key count (`keys`).
    static func cacheShare(_ cache: [String: Any]?) -> String {
        guard let cache else { return "" }
        if let share = numberValue(cache["share"]) { return percentText(share) + "%" }
        if let keys = numberValue(cache["keys"]) { return String(Int(keys)) }
        return ""
    }

    /// `hit_rate` (a fraction) or hits / (hits + misses).
    static func hitRate(_ cache: [String: Any]?) -> String {
        guard let cache else { return "" }
        if let rate = numberValue(cache["hit_rate"]) { return percentText(rate) }
        guard let hits = numberValue(cache["hits"]), let misses = numberValue(cache["misses"]), hits + misses > 0 else {
            return ""
        }
        return percentText(hits / (hits + misses))
    }
}
