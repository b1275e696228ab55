import Gossip
import ManagerCore
import NIOCore

/// One fetch of an environment's newest version: the members to ask in order, the next one
/// to ask, and the tries in flight. Every try, hedge or fallback, takes the next member, so
/// no member is asked twice in a round.
struct FetchRound {
    let id: UInt64
    /// The lowest version that will do: the one after what the node holds.
    let minimum: UInt64
    /// Ask for a delta from the held content; cleared once a delta did not rebuild.
    var delta: Bool
    let candidates: [Member]
    var next = 0
    var inFlight = 0
    /// Tries started beside an unanswered one.
    var hedges = 0

    /// The next member to ask, if any is left.
    mutating func take() -> Member? {
        guard next < candidates.count else { return nil }
        next += 1
        return candidates[next - 1]
    }

    var hasCandidates: Bool { next < candidates.count }
}

extension ConfigAgent {
    /// Members to ask for `environment`'s newest version: the node it was heard from first,
    /// then every alive member whose meta says it holds it.
    func sources(for environment: String, version: UInt64) -> [Member] {
        let me = node.gossip.localMember.id
        let alive = node.gossip.members.filter { $0.id != me && $0.state == .alive }
        let origin = heard[environment]?.from
        let holders = alive.filter { member in
            member.name != origin
                && (member.meta[MetaKey.config(environment)].flatMap(ConfigAnnouncement.version(fromMeta:)) ?? 0) >= version
        }
        return alive.filter { $0.name == origin } + holders
    }

    /// Starts a fetch round for `environment` unless one is open or nothing newer is known.
    func fetch(_ environment: String) {
        guard rounds[environment] == nil else { return }
        let wanted = newest(environment)
        let have = held[environment]?.bundle.header.version ?? 0
        guard wanted > max(have, unusable[environment] ?? 0) else { return }
        roundsStarted &+= 1
        rounds[environment] = FetchRound(id: roundsStarted, minimum: have + 1, delta: held[environment] != nil,
                                         candidates: sources(for: environment, version: wanted))
        tryNext(environment, round: roundsStarted)
    }

    /// Asks the round's next member. A try unanswered after `hedgeDelay` gets one more beside
    /// it (a lost SYN costs TCP a second), up to `hedges` in a round; the first bundle that
    /// holds ends the round. A try that fails moves on to the next member unless another try
    /// is still in flight; with no member left and none in flight, the round ends and a retry
    /// is scheduled.
    func tryNext(_ environment: String, round id: UInt64) {
        guard var round = rounds[environment], round.id == id else { return }
        guard let source = round.take() else {
            if round.inFlight == 0 { finish(environment, retry: true) }
            return
        }
        rounds[environment] = round
        ask(source, environment: environment, round: id)
    }

    private func ask(_ source: Member, environment: String, round id: UInt64) {
        guard var round = rounds[environment], round.id == id else { return }
        round.inFlight += 1
        rounds[environment] = round
        metrics.fetches.increment()
        let base = round.delta ? held[environment] : nil
        let request = StreamRequest.fetchBundle(environment: environment, minimumVersion: round.minimum,
                                                have: base?.bundle.header.contentDigest)
        var answered = false
        if round.hedges < settings.hedges, round.hasCandidates {
            loop.scheduleTask(in: .nanoseconds(settings.hedgeDelay.nanoseconds)) { [self] in
                guard !answered, var round = rounds[environment], round.id == id, round.hedges < settings.hedges else { return }
                round.hedges += 1
                rounds[environment] = round
                tryNext(environment, round: id)
            }
        }
        node.exchange(request, with: source.address).whenComplete { [self] result in
            answered = true
            guard rounds[environment]?.id == id else { return }
            let arrival: Arrival
            switch result.map(BundleReply.init) {
            case .success(.bundle(let bytes)?):
                metrics.fetchedBytes["full"]?.increment(by: Int64(bytes.count))
                arrival = .bytes(bytes)
            case .success(.delta(let bytes)?) where base != nil:
                metrics.fetchedBytes["delta"]?.increment(by: Int64(bytes.count))
                arrival = .delta(bytes, base: base!)
            case .failure(let error):
                logger.debug("bundle fetch failed", metadata: ["from": "\(source.name)", "error": "\(error)"])
                fallthrough
            default:
                metrics.fetchFailures.increment()
                ended(environment, round: id, moveOn: true)
                return
            }
            take(arrival, environment: environment, from: source.name).whenSuccess { [self] outcome in
                guard rounds[environment]?.id == id else { return }
                switch outcome {
                case .held:
                    finish(environment, retry: false)
                case .deltaUnusable:
                    logger.debug("a delta did not rebuild; fetching the full bundle", metadata: ["from": "\(source.name)"])
                    rounds[environment]?.delta = false
                    ended(environment, round: id, moveOn: false)
                    ask(source, environment: environment, round: id)
                case .refused:
                    metrics.fetchFailures.increment()
                    ended(environment, round: id, moveOn: true)
                }
            }
        }
    }

    /// A try ended without a bundle held. With `moveOn`, the next member is asked, unless
    /// another try is still in flight (its end moves on).
    private func ended(_ environment: String, round id: UInt64, moveOn: Bool) {
        guard var round = rounds[environment], round.id == id else { return }
        round.inFlight -= 1
        rounds[environment] = round
        if moveOn && round.inFlight == 0 { tryNext(environment, round: id) }
    }

    /// Ends the open fetch round: on to a newer version heard meanwhile, or a retry later.
    private func finish(_ environment: String, retry: Bool) {
        rounds[environment] = nil
        if retry { scheduleRetry(environment) } else { fetch(environment) }
    }

    private func scheduleRetry(_ environment: String) {
        guard self.retry[environment] == nil else { return }
        self.retry[environment] = loop.scheduleTask(in: settings.retryInterval) { [self] in
            self.retry[environment] = nil
            fetch(environment)
        }
    }
}
