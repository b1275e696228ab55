import CacheRing
import Gossip
import NIOCore

/// What became of a bust this node made: who acknowledged it within the deadline and who did not.
struct BustReport: Sendable {
    struct Ack: Sendable {
        var node: String
        var removed: Int
        var milliseconds: Double
    }

    var bust: CacheBust
    var removedHere: Int
    var acknowledged: [Ack]
    /// Alive workers of the environment that did not acknowledge within the deadline (or at all).
    var missing: [String]
    /// False for `--no-wait`: the report says nothing of the others.
    var waited: Bool
    var milliseconds: Double
}

extension CacheBustAgent {
    /// Makes a bust: applies it here, spreads it as a rumor and sends it to every alive worker
    /// of the environment; with `wait`, completes once each has acknowledged or `timeout` has
    /// passed, otherwise once it is applied here and the rumor is on its way. Event loop only.
    /// A bust a request made (a successful unsafe method), already applied to this node's
    /// store on the request's loop: recorded in the ledger, so it is not applied here again and
    /// peers catching up get it, and spread as an urgent rumor. Nobody waits for
    /// acknowledgements, so none are asked for. Event loop only.
    func spread(_ invalidation: Invalidation) {
        let bust = CacheBust(environment: settings.environment,
                             id: BustID(origin: origin, sequence: ledger.nextSequence(origin: origin)), invalidation: invalidation)
        guard ledger.admit(bust) else { return }
        metrics.applied.increment()
        node.run { core, now in
            do { return try core.broadcast(bust.rumor, now: now) } catch {
                logger.debug("a request's bust could not be spread", metadata: ["error": "\(error)"])
                return []
            }
        }
    }

    func bust(_ invalidation: Invalidation, wait: Bool, timeout: Duration) -> EventLoopFuture<BustReport> {
        let started = NIODeadline.now()
        let bust = CacheBust(environment: settings.environment,
                             id: BustID(origin: origin, sequence: ledger.nextSequence(origin: origin)), invalidation: invalidation)
        var refusal: (any Error)?
        node.run { core, now in
            do { return try core.broadcast(bust.rumor, now: now) } catch {
                refusal = error
                return []
            }
        }
        if let refusal { return loop.makeFailedFuture(BustRefused(reason: "\(refusal)")) }
        let local = apply(bust, source: "local")
        let targets = peers().filter { $0.tags["role"] != "manager" }.sorted { $0.name < $1.name }
        let acks = targets.map { member in acknowledgement(of: bust, from: member, started: started, timeout: timeout) }
        guard wait else {
            return local.map { ack in
                BustReport(bust: bust, removedHere: ack.removed, acknowledged: [], missing: [], waited: false,
                           milliseconds: Self.milliseconds(since: started))
            }
        }
        return local.and(EventLoopFuture.whenAllComplete(acks, on: loop)).map { ack, results in
            var report = BustReport(bust: bust, removedHere: ack.removed, acknowledged: [], missing: [], waited: true,
                                    milliseconds: 0)
            for (member, result) in zip(targets, results) {
                if case .success(let acked?) = result {
                    report.acknowledged.append(acked)
                } else {
                    report.missing.append(member.name)
                }
            }
            report.milliseconds = Self.milliseconds(since: started)
            return report
        }
    }

    /// One member's acknowledgement over the stream port; nil when it did not answer in time
    /// or answered that it is of another environment.
    private func acknowledgement(of bust: CacheBust, from member: Member, started: NIODeadline, timeout: Duration)
        -> EventLoopFuture<BustReport.Ack?>
    {
        node.exchange(.bust(bust), with: member.address, within: .nanoseconds(timeout.nanoseconds)).map { [self] reply in
            guard let reply else { return nil }
            guard let ack = BustAck(bytes: reply) else {
                malformed(source: member.name, reason: "malformed bust acknowledgement")
                return nil
            }
            guard ack.outcome != .otherEnvironment else { return nil }
            return BustReport.Ack(node: member.name, removed: ack.removed, milliseconds: Self.milliseconds(since: started))
        }
    }

    static func milliseconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1e6
    }
}

/// A bust that cannot be spread: its rumor does not fit in one datagram (a long value with a long
/// node name and environment).
struct BustRefused: Error, CustomStringConvertible {
    let reason: String
    var description: String { "this bust cannot be spread by gossip (\(reason)); bust a shorter value, or a prefix" }
}
