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
                    try? self.agent.adopt(try verifier.verify(latest, running: nil), source: "history")
                }
            }
            self.agent.onHold = { [self] bundle in self.record(bundle) }
        }.get()
    }

    /// Keeps every version the agent comes to hold (signed here, or fetched from the mesh); the
    /// agent has written it to the history folder already. Event loop only.
    func record(_ bundle: ConfigBundle) {
        let environment = bundle.header.environment
        var line = lines[environment] ?? VersionLine(environment: environment)
        guard bundle.header.version > (line.latest?.header.version ?? 0) else { return }
        line.record(bundle)
        lines[environment] = line
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
        case raced(environment: String, version: UInt64)

        public var description: String {
            switch self {
            case .invalid(let message): return "the config is not valid: \(message)"
            case .behind(let environment, let heard):
                return "\(environment) is at version \(heard) in the mesh and this manager does not hold it yet; try again in a moment"
            case .noSuchVersion(let environment, let version): return "\(environment) has no version \(version) in this manager's history"
            case .nothingToPromote(let environment): return "\(environment) has no version to promote"
            case .raced(let environment, let version):
                return "another change became \(environment) version \(version) meanwhile; look at the diff and apply again"
            }
        }
    }

    /// Signs `content` as `environment`'s next version, unless it is the current content.
    func publish(_ content: GatewayConfig, environment: String, author: String, summary: String?, action: String) async throws -> Outcome {
        guard EnvironmentName.isValid(environment) else { throw PublishError.invalid("'\(environment)' is not an environment name") }
        // Checking, encoding, diffing and signing a large config happen here, off the node's
        // event loop; what the held version shares with it is not checked or encoded again.
        let held = try await loop.submit { self.agent.held[environment] }.get()
        do { _ = try ManifestValidation.validated(content, checkedBefore: held?.config) } catch { throw PublishError.invalid("\(error)") }
        let contentBytes = held.map { content.canonicalBytes(reusing: $0.config, content: $0.bundle.content) } ?? content.canonicalBytes
        let digest = ContentDigest(of: contentBytes)
        let decision: (next: VersionLine.Next, previous: GatewayConfig?) = try await loop.submit {
            var line = self.lines[environment] ?? VersionLine(environment: environment)
            line.heard(version: self.agent.newest(environment))
            let next = line.next(contentDigest: digest)
            if case .behind = next { self.agent.fetch(environment) }
            let held = self.agent.held[environment]
            return (next, held?.bundle.header.version == line.latest?.header.version ? held?.config : nil)
        }.get()
        let bundle: ConfigBundle, diff: ConfigDiff
        switch decision.next {
        case .unchanged(let latest):
            return .unchanged(latest.header)
        case .behind(let heard):
            throw PublishError.behind(environment: environment, heard: heard)
        case .sign(let version, let parent):
            var previous = decision.previous
            if previous == nil { previous = try await current(environment: environment).config }
            diff = ConfigDiff(from: previous ?? .empty, to: content)
            bundle = key.sign(contentBytes: contentBytes, environment: environment, version: version, parent: parent,
                              createdAtMillis: NodeShell.wallClockMillis(), author: author, summary: summary ?? diff.summary)
        }
        let taken = try await loop.flatSubmit {
            self.agent.take(.bundle(bundle, decoded: content), environment: environment, from: "signed here", announce: true)
        }.get()
        switch taken {
        case .held(let header):
            audit.record(action: action, token: author, environment: environment, version: header.version,
                         detail: header.summary)
            return .published(header, diff)
        case .refused(.staleVersion):
            throw PublishError.raced(environment: environment, version: bundle.header.version)
        case .refused(let rejection):
            throw PublishError.invalid("\(rejection)")
        case .deltaUnusable:
            throw PublishError.invalid("not a delta")
        }
    }

    func rollback(environment: String, to version: UInt64, author: String) async throws -> Outcome {
        let bundle = try await loop.submit { self.lines[environment]?.bundle(version: version) }.get()
        guard let bundle, let content = try? CanonicalEncoding.decode(GatewayConfig.self, from: bundle.content) else {
            throw PublishError.noSuchVersion(environment, version)
        }
        return try await publish(content, environment: environment, author: author,
                                 summary: "rollback to version \(version)", action: "rollback")
    }

    func promote(from source: String, to target: String, author: String) async throws -> Outcome {
        let (header, content) = try await current(environment: source)
        guard let header else { throw PublishError.nothingToPromote(source) }
        return try await publish(content, environment: target, author: author,
                                 summary: "promoted from \(source) version \(header.version)", action: "promote")
    }

    /// Every version of `environment`, oldest first.
    func history(environment: String) async throws -> [BundleHeader] {
        try await loop.submit { (self.lines[environment]?.bundles ?? []).map(\.header) }.get()
    }

    /// The newest content of `environment` (empty when there is none yet), decoded off the loop.
    func current(environment: String) async throws -> (header: BundleHeader?, config: GatewayConfig) {
        let bundle = try await loop.submit { self.lines[environment]?.latest ?? self.agent.held[environment]?.bundle }.get()
        guard let bundle, let config = try? CanonicalEncoding.decode(GatewayConfig.self, from: bundle.content) else {
            return (nil, .empty)
        }
        return (bundle.header, config)
    }
}
