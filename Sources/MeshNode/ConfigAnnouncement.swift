import Gossip
import ManagerCore

/// "Environment ENV has version V with digest D; ask ORIGIN for it": the urgent rumor a
/// new version spreads as. Its payload is four lines; the rumor's own version is V, so
/// the gossip layer keeps only the newest per environment.
struct ConfigAnnouncement: Equatable {
    var environment: String
    var version: UInt64
    var digest: String
    var origin: String

    init(header: BundleHeader, origin: String) {
        environment = header.environment
        version = header.version
        digest = header.contentDigest.hex
        self.origin = origin
    }

    init?(_ rumor: Rumor) {
        guard rumor.subject.hasPrefix(ConfigAgent.rumorPrefix),
              let text = String(validating: rumor.payload, as: UTF8.self) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 4, let version = UInt64(lines[1]), version == rumor.version,
              rumor.subject == ConfigAgent.rumorPrefix + lines[0], EnvironmentName.isValid(lines[0]) else { return nil }
        environment = lines[0]
        self.version = version
        digest = lines[2]
        origin = lines[3]
    }

    var rumor: Rumor {
        Rumor(subject: ConfigAgent.rumorPrefix + environment, version: version,
              payload: Array("\(environment)\n\(version)\n\(digest)\n\(origin)".utf8), urgent: true)
    }

    /// Member meta `config.ENV`: `VERSION:DIGEST12`.
    static func meta(_ header: BundleHeader) -> String { "\(header.version):\(header.contentDigest.short)" }

    static func version(fromMeta text: String) -> UInt64? {
        text.split(separator: ":").first.flatMap { UInt64($0) }
    }
}

extension MetaKey {
    /// `config.ENV`: the version and digest of ENV this node holds.
    static let configPrefix = "config."
    static func config(_ environment: String) -> String { configPrefix + environment }
}
