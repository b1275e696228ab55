import Foundation
import Logging
import ManagerCore
import NIOCore

/// The manager's half of config: it signs versions (apply, rollback, promote), keeps each
/// environment's version line on disk (`history/ENV/`), records who did what in the audit
/// log, and hands every version to the config agent, which announces it.
///
/// It never signs at or below a version the mesh has shown it: a second manager with the
/// same key first fetches the newest bundle (the agent does, from meta), then signs after it.
public final class ConfigPublisher: @unchecked Sendable {
    let key: SigningKey
    let agent: ConfigAgent
    let store: ConfigStore
    let audit: AuditLog
    let logger: Logger
    /// Event-loop state.
    var lines: [String: VersionLine] = [:]

    init(key: SigningKey, agent: ConfigAgent, store: ConfigStore, audit: AuditLog) {
        self.key = key
        self.agent = agent
        self.store = store
        self.audit = audit
        self.logger = agent.logger
    }

    var loop: any EventLoop { agent.loop }

    /// Loads the version lines from disk and hands each environment's newest to the agent.
    func start() async throws {
        try await loop.submit {
            for (environment, bundles) in self.store.loadHistory() {
                var line = VersionLine(environment: environment)
                let verifier = self.agent.verifier(for: environment)
                for bytes in bundles {
                    guard let verified = try? verifier.verify(bytes, running: line.latest?.header.version) else {
                        self.logger.error("a stored version does not verify; it is left out", metadata: ["environment": "\(environment)"])
                        continue
                    }
                    line.record(verified.bundle)
                }
                self.lines[environment] = line
                if let latest = line.latest, latest.header.version > (self.agent.held[environment]?.bundle.header.version ?? 0) {
                    try? self.agent.hold(try verifier.verify(latest, running: nil), source: "history")
                }
            }
            self.agent.onHold = { [self] bundle in self.record(bundle) }
        }.get()
    }

    /// Keeps every version the agent comes to hold (signed here, or fetched from the mesh). Event loop only.
    func record(_ bundle: ConfigBundle) {
        let environment = bundle.header.environment
        var line = lines[environment] ?? VersionLine(environment: environment)
        guard bundle.header.version > (line.latest?.header.version ?? 0) else { return }
        line.record(bundle)
        lines[environment] = line
        do { try store.appendHistory(bundle) } catch {
            logger.error("could not store a version in the history", metadata: ["error": "\(error)"])
        }
    }

    public enum Outcome: Sendable {
        case published(BundleHeader, ConfigDiff)
        case unchanged(BundleHeader)
    }

    public enum PublishError: Error, CustomStringConvertible {
        case invalid(String)
        case behind(environment: String, heard: UInt64)
        case noSuchVersion(String, UInt64)
        case nothingToPromote(String)

        public var description: String {
            switch self {
            case .invalid(let message): return "the config is not valid: \(message)"
            case .behind(let environment, let heard):
                return "\(environment) is at version \(heard) in the mesh and this manager does not hold it yet; try again in a moment"
            case .noSuchVersion(let environment, let version): return "\(environment) has no version \(version) in this manager's history"
            case .nothingToPromote(let environment): return "\(environment) has no version to promote"
            }
        }
    }

    /// Signs `content` as `environment`'s next version, unless it is the current content.
    func publish(_ content: GatewayConfig, environment: String, author: String, summary: String?, action: String) async throws -> Outcome {
        guard EnvironmentName.isValid(environment) else { throw PublishError.invalid("'\(environment)' is not an environment name") }
        do { try ManifestValidation.check(content) } catch { throw PublishError.invalid("\(error)") }
        let outcome: Outcome = try await loop.submit {
            var line = self.lines[environment] ?? VersionLine(environment: environment)
            line.heard(version: self.agent.newest(environment))
            switch line.next(for: content) {
            case .unchanged(let latest):
                return .unchanged(latest.header)
            case .behind(let heard):
                self.agent.fetch(environment)
                throw PublishError.behind(environment: environment, heard: heard)
            case .sign(let version, let parent):
                let previous = line.latest.flatMap { try? CanonicalEncoding.decode(GatewayConfig.self, from: $0.content) } ?? .empty
                let diff = ConfigDiff(from: previous, to: content)
                let bundle = self.key.sign(
                    content: content, environment: environment, version: version, parent: parent,
                    createdAtMillis: NodeShell.wallClockMillis(), author: author, summary: summary ?? diff.summary)
                let verified = try self.agent.verifier(for: environment).verify(bundle, running: nil)
                try self.agent.publish(verified, source: "signed here")
                return .published(bundle.header, diff)
            }
        }.get()
        if case .published(let header, _) = outcome {
            audit.record(action: action, token: author, environment: environment, version: header.version,
                         detail: header.summary)
        }
        return outcome
    }

    func rollback(environment: String, to version: UInt64, author: String) async throws -> Outcome {
        let content: GatewayConfig = try await loop.submit {
            guard let bundle = self.lines[environment]?.bundle(version: version),
                  let config = try? CanonicalEncoding.decode(GatewayConfig.self, from: bundle.content) else {
                throw PublishError.noSuchVersion(environment, version)
            }
            return config
        }.get()
        return try await publish(content, environment: environment, author: author,
                                 summary: "rollback to version \(version)", action: "rollback")
    }

    func promote(from source: String, to target: String, author: String) async throws -> Outcome {
        let (content, version): (GatewayConfig, UInt64) = try await loop.submit {
            guard let bundle = self.lines[source]?.latest ?? self.agent.held[source]?.bundle,
                  let config = try? CanonicalEncoding.decode(GatewayConfig.self, from: bundle.content) else {
                throw PublishError.nothingToPromote(source)
            }
            return (config, bundle.header.version)
        }.get()
        return try await publish(content, environment: target, author: author,
                                 summary: "promoted from \(source) version \(version)", action: "promote")
    }

    /// Every version of `environment`, oldest first.
    func history(environment: String) async throws -> [BundleHeader] {
        try await loop.submit { (self.lines[environment]?.bundles ?? []).map(\.header) }.get()
    }

    /// The newest content of `environment` (empty when there is none yet).
    func current(environment: String) async throws -> (header: BundleHeader?, config: GatewayConfig) {
        try await loop.submit {
            guard let bundle = self.lines[environment]?.latest ?? self.agent.held[environment]?.bundle,
                  let config = try? CanonicalEncoding.decode(GatewayConfig.self, from: bundle.content) else {
                return (nil, .empty)
            }
            return (bundle.header, config)
        }.get()
    }
}
