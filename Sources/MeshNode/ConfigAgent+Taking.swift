import Dispatch
import Gossip
import Logging
import ManagerCore
import NIOCore

extension ConfigAgent {
    /// A bundle as it reached this node, before it is verified.
    enum Arrival {
        case bytes([UInt8])
        /// A delta from the content this node holds.
        case delta([UInt8], base: Held)
        /// Signed here, or parsed already; `decoded` is its content when the caller encoded it.
        case bundle(ConfigBundle, decoded: GatewayConfig?)
    }

    enum Outcome {
        case held(BundleHeader)
        case refused(BundleRejection)
        /// The delta does not rebuild on this node's content: ask for the full bundle.
        case deltaUnusable
    }

    /// Verifies (rebuilding a delta first), applies when it is this node's environment, and
    /// stores a bundle on the work queue, off the event loop, so a large config never stalls
    /// gossip; then holds it on the loop, and with `announce` spreads the rumor. Refusals are
    /// counted and logged once. The future completes on the loop.
    ///
    /// A bundle taken to announce (signed here, or imported) is held and announced before its
    /// files are written, so the mesh does not wait on this node's disk; if the node stops in
    /// between, its history and last-known-good lack that version until it fetches it back
    /// from the mesh, as any node that missed a version does.
    func take(_ arrival: Arrival, environment: String, from source: String, announce: Bool = false) -> EventLoopFuture<Outcome> {
        let promise = loop.makePromise(of: Outcome.self)
        let running = held[environment]?.bundle.header.version
        let checked = held[environment]?.config
        let verifier = verifier(for: environment)
        let apply = environment == settings.environment ? self.apply : nil
        let store = self.store
        let keepsHistory = settings.holdsEveryEnvironment
        let logger = self.logger
        work.run { applied in
            let bundle: ConfigBundle, decoded: GatewayConfig?
            do throws(BundleRejection) {
                switch arrival {
                case .bytes(let bytes):
                    (bundle, decoded) = (try ConfigBundle.parse(bytes), nil)
                case .delta(let bytes, let base):
                    do {
                        (bundle, decoded) = try ConfigBundle.rebuild(
                            delta: bytes, base: base.config, baseContent: base.bundle.content,
                            baseDigest: base.bundle.header.contentDigest)
                    } catch {
                        return promise.succeed(.deltaUnusable)
                    }
                case .bundle(let given, let content):
                    (bundle, decoded) = (given, content)
                }
            } catch {
                return promise.futureResult.eventLoop.execute { [self] in
                    refuse(error, version: nil, from: source)
                    promise.succeed(.refused(error))
                }
            }
            let version = bundle.header.version
            let result: Result<(VerifiedBundle, [UInt8]), BundleRejection>
            var storeFailure: String?
            var failure: String?
            do {
                let verified = try verifier.verify(bundle, running: max(running ?? 0, applied[environment] ?? 0), decoded: decoded,
                                                   checkedBefore: checked)
                if let apply {
                    do { try apply(verified) } catch { throw ApplyFailed(reason: "\(error)") }
                }
                applied[environment] = version
                // The bundle's bytes (what peers are served) and both files are made here, not on the loop.
                let bytes = verified.bundle.bytes
                if !announce { storeFailure = Self.write(verified.bundle, bytes, to: store, history: keepsHistory) }
                result = .success((verified, bytes))
            } catch let rejection as BundleRejection {
                result = .failure(rejection)
            } catch {
                result = .failure(.invalidConfig)
                failure = "\(error)"
            }
            let storeError = storeFailure
            let detail = failure
            promise.futureResult.eventLoop.execute { [self] in
                switch result {
                case .success(let (verified, bytes)):
                    if let storeError {
                        logger.error("could not store the config", metadata: ["error": "\(storeError)"])
                    }
                    commit(verified, bytes: bytes, source: source)
                    if announce {
                        let rumor = ConfigAnnouncement(header: verified.header, origin: node.gossip.localMember.name).rumor
                        node.run { core, now in (try? core.broadcast(rumor, now: now)) ?? [] }
                    }
                    promise.succeed(.held(verified.header))
                case .failure(let rejection):
                    // Refused for its signed content itself: fetching it again elsewhere changes nothing.
                    if rejection == .invalidConfig { unusable[environment] = max(unusable[environment] ?? 0, version) }
                    refuse(rejection, version: version, from: source, detail: detail)
                    promise.succeed(.refused(rejection))
                }
            }
            if announce, case .success(let (verified, bytes)) = result,
               let failed = Self.write(verified.bundle, bytes, to: store, history: keepsHistory) {
                logger.error("could not store the config", metadata: ["error": "\(failed)"])
            }
        }
        return promise.futureResult
    }

    /// Writes a verified bundle as the last-known-good (and with `history`, into the
    /// environment's history); what went wrong, if anything.
    private static func write(_ bundle: ConfigBundle, _ bytes: [UInt8], to store: ConfigStore, history: Bool) -> String? {
        do {
            try store.saveCurrent(bundle, bytes: bytes)
            if history { try store.appendHistory(bundle, bytes: bytes) }
            return nil
        } catch {
            return "\(error)"
        }
    }

    func refuse(_ reason: BundleRejection, version: UInt64?, from source: String, detail: String? = nil) {
        metrics.rejected[reason]?.increment()
        // One line per reason and version: a peer offering the same bad bundle again stays quiet.
        guard refusalsLogged.insert("\(reason.rawValue)/\(version.map(String.init) ?? "?")").inserted else { return }
        var fields: Logger.Metadata = ["reason": "\(reason.rawValue)", "from": "\(source)",
                                       "running": "\(running?.version ?? 0)"]
        if let version { fields["version"] = "\(version)" }
        if let detail { fields["error"] = "\(detail)" }
        logger.warning("config bundle refused (\(reason)); the running config keeps serving", metadata: fields)
    }

    func verifier(for environment: String) -> BundleVerifier {
        BundleVerifier(trusted: settings.trusted, environment: environment)
    }
}

/// A serial queue for the heavy part of taking a bundle (decode, verify, apply, store), with
/// the newest version applied per environment, so versions apply in order.
final class ConfigWork: @unchecked Sendable {
    private let queue = DispatchQueue(label: "meshgate.config")
    /// Queue only.
    private var applied: [String: UInt64] = [:]

    func run(_ body: @escaping @Sendable (inout [String: UInt64]) -> Void) {
        queue.async { body(&self.applied) }
    }
}

struct ApplyFailed: Error, CustomStringConvertible {
    let reason: String
    var description: String { "the gateway could not apply it: \(reason)" }
}
