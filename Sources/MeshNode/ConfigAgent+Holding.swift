import Dispatch
import Gossip
import Logging
import ManagerCore
import NIOCore

extension ConfigAgent {
    // MARK: Holding

    /// Applies (for this node's environment) and holds a verified bundle at once, on the
    /// loop: for what a node starts with, before it serves gossip.
    func adopt(_ verified: VerifiedBundle, source: String) throws {
        if verified.header.environment == settings.environment, let apply {
            do { try apply(verified) } catch { throw ApplyFailed(reason: "\(error)") }
        }
        commit(verified, bytes: verified.bundle.bytes, source: source)
    }

    /// Makes a verified (and applied, and stored) bundle the one this node holds, and
    /// announces it in meta. Event loop only.
    func commit(_ verified: VerifiedBundle, bytes: [UInt8], source: String) {
        let header = verified.header
        guard header.version > (held[header.environment]?.bundle.header.version ?? 0) else { return }
        held[header.environment] = Held(bundle: verified.bundle, bytes: bytes, config: verified.config)
        deltas = deltas.filter { $0.key.environment != header.environment }
        var versions = recent[header.environment] ?? []
        versions.append((header.contentDigest, verified.config))
        recent[header.environment] = Array(versions.suffix(Self.recentVersions))
        if header.environment == settings.environment {
            appliedAtMillis = NodeShell.wallClockMillis()
            metrics.version.set(Int64(header.version))
            metrics.applied.increment()
        }
        node.updateMeta([MetaKey.config(header.environment): ConfigAnnouncement.meta(header)])
        updateLag()
        onHold?(verified.bundle)
        logger.info("config version held", metadata: [
            "environment": "\(header.environment)", "version": "\(header.version)",
            "digest": "\(header.contentDigest.short)", "from": "\(source)",
        ])
    }

    /// How many recent versions' contents a node keeps to answer with deltas.
    static let recentVersions = 4

    /// Answers a `fetchBundle`: a delta when the asker runs a recent version, else the bundle.
    func serve(_ environment: String, minimum: UInt64, have: ContentDigest?) -> BundleReply {
        guard let entry = held[environment], entry.bundle.header.version >= minimum else { return .notHeld }
        guard let have, let base = recent[environment]?.last(where: { $0.digest == have })?.config else {
            return .bundle(entry.bytes)
        }
        // Every worker on the same version asks for the same delta: made once, served to all.
        let key = DeltaKey(environment: environment, version: entry.bundle.header.version, base: have)
        if let cached = deltas[key] { return cached.map(BundleReply.delta) ?? .bundle(entry.bytes) }
        let delta = entry.bundle.delta(from: base, baseDigest: have, target: entry.config).flatMap {
            $0.count < entry.bytes.count ? $0 : nil
        }
        deltas[key] = delta
        return delta.map(BundleReply.delta) ?? .bundle(entry.bytes)
    }

    func updateLag() {
        let environment = settings.environment
        let behind = newest(environment) > (running?.version ?? 0)
        if !behind {
            behindSince = nil
        } else if behindSince == nil {
            behindSince = .now()
            let threshold = TimeAmount.nanoseconds(settings.lagThreshold.nanoseconds)
            loop.scheduleTask(in: threshold) { [self] in updateLag() }
        }
        let lagging = behindSince.map { NIODeadline.now() - $0 >= .nanoseconds(settings.lagThreshold.nanoseconds) } ?? false
        metrics.lagging.set(Int64(lagging ? 1 : 0))
    }

    /// The node's config state for the admin API. Event loop only.
    var state: ConfigAPI.StateAnswer {
        let lagging = behindSince.map { NIODeadline.now() - $0 >= .nanoseconds(settings.lagThreshold.nanoseconds) } ?? false
        return ConfigAPI.StateAnswer(
            environment: settings.environment, version: running?.version, digest: running?.contentDigest.hex,
            createdAtMillis: running?.createdAtMillis, appliedAtMillis: appliedAtMillis,
            newest: newest(settings.environment), lagging: lagging)
    }
}

struct DeltaKey: Hashable {
    let environment: String
    let version: UInt64
    let base: ContentDigest
}

struct Held {
    let bundle: ConfigBundle
    let bytes: [UInt8]
    let config: GatewayConfig
}
