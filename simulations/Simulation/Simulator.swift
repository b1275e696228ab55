import Gossip

/// Runs the real Gossip core for every node of a cluster over the virtual network,
/// in virtual time, on one thread: the same configuration gives the same run.
public struct Simulator {
    public let config: SimulationConfig
    let gossipConfig: GossipConfig
    private let schedule: FaultSchedule
    private let slowDelay: SimTime
    private let end: SimTime

    private var queue = EventQueue(capacity: 1 << 16)
    private var network: VirtualNetwork
    private var random: SeededRandom

    // Per slot, kept in contiguous arrays indexed by slot.
    private var cores: [GossipNode?] = []
    private var processes: [Process] = []
    private var running: [Bool] = []
    private var names: [String] = []
    private var addresses: [NodeAddress] = []
    private var slotByAddress: [NodeAddress: Int32] = [:]
    private var slotByName: [String: Int32] = [:]
    private var seeds: [NodeAddress] = []
    /// Every node's member announcements, stored once for the whole mesh.
    private let profiles = MemberProfiles()

    private var detection = DetectionTracker()
    private var rumorTracker = RumorTracker()
    private var configSpread = ConfigSpread()
    private var views: ViewTracker?
    private var traffic: TrafficCounters
    private var observations = Observations()

    private struct Process {
        var uid: UInt64 = 0
        var epoch: UInt32 = 0
        var slow = false
        /// A slow node's inbox: how late it currently runs, until when, and when it will have
        /// handled everything queued so far (messages are handled in order, one after another).
        var lag: SimTime = 0
        var lagUntil: SimTime = 0
        var inboxFreeAt: SimTime = 0
        var leaving = false
        var tickGeneration: UInt32 = 0
        var scheduledTick: SimTime = .max
    }

    /// Pairs of (observer, subject) beyond which the view tracker is left off unless a
    /// partition needs it: 10,000 nodes (100 MB).
    static let viewTrackingLimit = 10_000 * 10_000

    public init(config: SimulationConfig) throws {
        try config.validate()
        guard var gossip = GossipConfig(profile: config.profile) else {
            throw ConfigurationError("unknown profile '\(config.profile)' (known: \(GossipConfig.profiles.keys.sorted().joined(separator: ", ")))")
        }
        gossip.lifeguard = config.lifeguard
        self.config = config
        gossipConfig = gossip
        schedule = FaultSchedule(config: config)
        slowDelay = .milliseconds(config.slow.delayMs)
        end = .seconds(config.duration)
        random = SeededRandom(seed: config.seed, stream: 0x7369_6D)
        let capacity = config.nodes + schedule.churnJoins
        network = VirtualNetwork(config: config.network, seed: config.seed, slots: 0)
        traffic = TrafficCounters(windowStart: .seconds(config.warmup))
        if capacity * capacity <= Simulator.viewTrackingLimit || !config.partitions.isEmpty {
            views = ViewTracker(capacity: capacity)
        }
        cores.reserveCapacity(capacity)
        processes.reserveCapacity(capacity)
        for _ in 0..<config.nodes { addSlot() }
        seeds = Array(addresses.prefix(config.seedCount))
        markSlowNodes()
    }

    // MARK: - Running

    /// Runs to the end of the configured duration and reports what happened.
    /// Throws only if the core refuses a node the simulator built (a bug on one side or the other).
    public mutating func run() throws -> SimulationReport {
        let clock = ContinuousClock()
        let started = clock.now
        let cpuAtStart = ProcessUsage.cpuSeconds()
        scheduleStarts()
        for (index, fault) in schedule.faults.enumerated() where fault.time <= end {
            queue.schedule(.fault(index: Int32(index)), at: fault.time)
        }
        scheduleRumors()
        scheduleConfigVersions()
        var events = 0
        var reached = end
        let wallLimit = config.maxWallSeconds.map { started + .milliseconds(Int64($0 * 1000)) }
        while let next = queue.nextTime, next <= end, let (time, event) = queue.pop() {
            try handle(event, at: time)
            events += 1
            // Every 1,024 events: at 10,000 nodes a push-pull merge is one event of 10,000 members.
            if events & 0x3FF == 0, let reason = limitReached(wallLimit: wallLimit, clock: clock) {
                reached = time
                observations.stopReason = reason
                break
            }
        }
        traffic.finish(at: reached)
        observations.reached = reached
        for case let core? in cores { observations.count(core.stats) }
        let wall = (clock.now - started).components
        return report(observations: observations, detection: detection, rumors: rumorTracker,
                      configs: configSpread.tracker, traffic: traffic,
                      viewsTracked: views != nil, events: events,
                      wallSeconds: Double(wall.seconds) + Double(wall.attoseconds) / 1e18,
                      cpuSeconds: ProcessUsage.cpuSeconds() - cpuAtStart)
    }

    private func limitReached(wallLimit: ContinuousClock.Instant?, clock: ContinuousClock) -> String? {
        if let wallLimit, clock.now > wallLimit { return "wall-clock limit" }
        if let limit = config.maxRSSMiB, let rss = ProcessUsage.currentRSSMiB(), rss > limit { return "memory limit" }
        return nil
    }

    private mutating func scheduleStarts() {
        let spread = config.effectiveJoinSpread
        for slot in 0..<config.nodes {
            let at = config.nodes > 1 ? spread * Double(slot) / Double(config.nodes - 1) : 0
            queue.schedule(.start(slot: Int32(slot)), at: .seconds(at))
        }
        observations.lastInitialStart = .seconds(spread)
    }

    private mutating func scheduleRumors() {
        for (i, at) in spreadOverMeasuredRun(config.rumors).enumerated() {
            queue.schedule(.rumor(index: Int32(i)), at: at)
        }
    }

    /// Config versions spread over the run like rumors, published by the first node.
    private mutating func scheduleConfigVersions() {
        for (i, at) in spreadOverMeasuredRun(config.configVersions).enumerated() {
            queue.schedule(.publishConfig(version: UInt32(i + 1)), at: at)
        }
    }

    /// `count` instants evenly spread between the warm-up and the detection window.
    private func spreadOverMeasuredRun(_ count: Int) -> [SimTime] {
        let start = config.warmup
        let stop = max(start, config.duration - config.detectionWindow)
        return (0..<count).map { i in .seconds(start + (stop - start) * (Double(i) + 0.5) / Double(count)) }
    }

    private mutating func handle(_ event: SimEvent, at now: SimTime) throws {
        switch event {
        case let .tick(slot, generation):
            let s = Int(slot)
            guard running[s], processes[s].tickGeneration == generation else { return }
            processes[s].scheduledTick = .max
            let outputs = cores[s]!.tick(now: instant(now))
            carryOut(outputs, from: s, at: now)
            rescheduleTick(s, at: now, afterTick: true)

        case let .datagram(slot, from, bytes):
            let s = Int(slot)
            guard running[s] else { return }
            let outputs = cores[s]!.receive(datagram: bytes, from: addresses[Int(from)], now: instant(now))
            carryOut(outputs, from: s, at: now)
            rescheduleTick(s, at: now, afterTick: false)

        case let .streamRequest(slot, epoch, from, fromEpoch, replyBy, bytes):
            let s = Int(slot)
            guard running[s], processes[s].epoch == epoch else { return }
            let (reply, outputs) = cores[s]!.receive(stream: bytes, from: addresses[Int(from)], now: instant(now))
            carryOut(outputs, from: s, at: now)
            rescheduleTick(s, at: now, afterTick: false)
            // An empty reply closes the stream without an answer.
            let initiator = Int(from)
            if !reply.isEmpty, network.reachable(s, initiator) {
                traffic.sentStream(bytes: reply.count, at: now)
                let arrival = now + network.transfer(bytes: reply.count)
                // Past the initiator's read timeout it has closed the connection.
                if arrival <= replyBy {
                    deliver(.streamReply(slot: from, epoch: fromEpoch, from: slot, bytes: reply),
                            to: initiator, arrival: arrival)
                }
            }

        case let .streamReply(slot, epoch, from, bytes):
            let s = Int(slot)
            guard running[s], processes[s].epoch == epoch else { return }
            let outputs = cores[s]!.receive(streamReply: bytes, from: addresses[Int(from)], now: instant(now))
            carryOut(outputs, from: s, at: now)
            rescheduleTick(s, at: now, afterTick: false)

        case let .reachesInbox(slot, message):
            queue.schedule(message, at: handledAt(Int(slot), arrival: now))

        case let .start(slot):
            try start(Int(slot), at: now)

        case let .stop(slot, epoch):
            if running[Int(slot)], processes[Int(slot)].epoch == epoch {
                stop(Int(slot), at: now)
            }

        case let .fault(index):
            try apply(schedule.faults[Int(index)].action, at: now)

        case let .rumor(index):
            try injectRumor(Int(index), at: now)

        case let .publishConfig(version):
            guard running[0] else { return }
            let rumor = configSpread.published(version, by: 0, at: now, running: staying)
            let outputs = try cores[0]!.broadcast(rumor, now: instant(now))
            carryOut(outputs, from: 0, at: now)
            rescheduleTick(0, at: now, afterTick: false)

        case let .fetchRequest(slot, epoch, from, attempt, version, replyBy):
            let s = Int(slot), fetcher = Int(from)
            guard running[s], processes[s].epoch == epoch, network.reachable(s, fetcher) else { return }
            guard configSpread.held[s] >= version else {
                // "Not held": a one-byte reply, and the fetcher asks another node at once.
                deliver(.fetchRetry(slot: from, attempt: attempt), to: fetcher, arrival: now + network.transfer(bytes: 1))
                return
            }
            traffic.sentStream(bytes: config.configBytes, at: now)
            let arrival = now + network.transfer(bytes: config.configBytes)
            if arrival <= replyBy {
                deliver(.fetchReply(slot: from, attempt: attempt, version: version), to: fetcher, arrival: arrival)
            }

        case let .fetchReply(slot, attempt, version):
            let s = Int(slot)
            guard running[s] else { return }
            if let next = configSpread.fetched(version, at: s, time: now) {
                fetchBundle(next, by: s, at: now)
            }

        case let .fetchHedge(slot, attempt, number):
            let s = Int(slot)
            guard running[s], let hedge = configSpread.hedge(s, attempt: attempt, running: running,
                                                             pick: { Int(random.next() % UInt64($0)) }) else { return }
            // One more try beside the first; its failure starts nothing, the first's chain goes on.
            if number < ConfigSpread.hedges {
                queue.schedule(.fetchHedge(slot: slot, attempt: attempt, hedge: number + 1), at: now + ConfigSpread.hedgeDelay)
            }
            let t = Int(hedge.source)
            traffic.sentStream(bytes: ConfigSpread.requestBytes, at: now)
            if network.reachable(s, t), let connected = network.connect() {
                deliver(.fetchRequest(slot: hedge.source, epoch: processes[t].epoch, from: slot, attempt: attempt,
                                      version: hedge.version, replyBy: now + connected + TCPModel.readTimeout),
                        to: t, arrival: now + connected + network.transfer(bytes: ConfigSpread.requestBytes))
            } else {
                traffic.streamFailed(at: now)
            }

        case let .fetchRetry(slot, attempt):
            let s = Int(slot)
            guard running[s] else { return }
            if let next = configSpread.retry(s, attempt: attempt, running: running,
                                             pick: { Int(random.next() % UInt64($0)) }) {
                fetchBundle(next, by: s, at: now)
            }
        }
    }

    // MARK: - Outputs of the core

    private mutating func carryOut(_ outputs: [GossipOutput], from slot: Int, at now: SimTime) {
        for output in outputs {
            switch output {
            case let .datagram(bytes, to):
                send(bytes, from: slot, to: to, at: now)
            case let .stream(bytes, to):
                openStream(bytes, from: slot, to: to, at: now)
            case let .membership(event):
                observe(event, at: slot, time: now)
            case let .rumor(rumor) where rumor.subject == ConfigSpread.subject:
                let announcer = rumor.payload.count == 4 ? Int32(bigEndian: rumor.payload.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }) : 0
                if let fetch = configSpread.heardOf(UInt32(rumor.version), at: slot, announcer: announcer) {
                    fetchBundle(fetch, by: slot, at: now)
                }
            case let .rumor(rumor):
                rumorTracker.delivered(subject: rumor.subject, at: slot, time: now)
            }
        }
    }

    private mutating func send(_ bytes: [UInt8], from slot: Int, to address: NodeAddress, at now: SimTime) {
        traffic.sentDatagram(bytes: bytes.count, at: now)
        guard let target = slotByAddress[address] else { return }
        let t = Int(target)
        guard network.reachable(slot, t) else {
            traffic.partitioned(at: now)
            return
        }
        guard network.delivers() else {
            traffic.lost(at: now)
            return
        }
        deliver(.datagram(slot: target, from: Int32(slot), bytes: bytes), to: t, arrival: now + network.delay())
    }

    /// A stream (push-pull, stream ping) over the lossy network as TCP (`TCPModel`): it
    /// fails without a word, as the core's contract says, when the handshake does not finish
    /// in time (loss, a partition), towards a stopped process, or when the request takes
    /// longer than the server's read timeout.
    private mutating func openStream(_ bytes: [UInt8], from slot: Int, to address: NodeAddress, at now: SimTime) {
        traffic.sentStream(bytes: bytes.count, at: now)
        guard let target = slotByAddress[address] else { return }
        let t = Int(target)
        guard running[t] else { return }
        guard network.reachable(slot, t), let connected = network.connect() else {
            traffic.streamFailed(at: now)
            return
        }
        let transfer = network.transfer(bytes: bytes.count)
        guard transfer <= TCPModel.readTimeout else {
            traffic.streamFailed(at: now)
            return
        }
        deliver(.streamRequest(slot: target, epoch: processes[t].epoch, from: Int32(slot),
                               fromEpoch: processes[slot].epoch,
                               replyBy: now + connected + TCPModel.readTimeout, bytes: bytes),
                to: t, arrival: now + connected + transfer)
    }

    /// One try of a bundle fetch (`ConfigSpread`) as a stream. The next try, from another
    /// holder, starts when this one fails: at the connect timeout when the handshake does not
    /// finish, at once on a "not held" reply, at the read timeout when no reply comes.
    private mutating func fetchBundle(_ fetch: (source: Int32, version: UInt32, attempt: UInt32), by slot: Int, at now: SimTime) {
        let t = Int(fetch.source)
        let retryAt: SimTime
        traffic.sentStream(bytes: ConfigSpread.requestBytes, at: now)
        if running[t], network.reachable(slot, t), let connected = network.connect() {
            let replyBy = now + connected + TCPModel.readTimeout
            deliver(.fetchRequest(slot: fetch.source, epoch: processes[t].epoch, from: Int32(slot), attempt: fetch.attempt,
                                  version: fetch.version, replyBy: replyBy),
                    to: t, arrival: now + connected + network.transfer(bytes: ConfigSpread.requestBytes))
            // A try that got no reply by its deadline is given up, as the agent's read timeout does.
            retryAt = replyBy
        } else {
            traffic.streamFailed(at: now)
            retryAt = now + TCPModel.connectTimeout
        }
        queue.schedule(.fetchRetry(slot: Int32(slot), attempt: fetch.attempt), at: retryAt)
        queue.schedule(.fetchHedge(slot: Int32(slot), attempt: fetch.attempt, hedge: 1), at: now + ConfigSpread.hedgeDelay)
    }

    /// Schedules a message that reaches the node in `slot` at `arrival`: handled then, or,
    /// by a slow node, once its inbox gets to it (in the order of arrival).
    private mutating func deliver(_ message: SimEvent, to slot: Int, arrival: SimTime) {
        if processes[slot].slow {
            queue.schedule(.reachesInbox(slot: Int32(slot), message: message), at: arrival)
        } else {
            queue.schedule(message, at: arrival)
        }
    }

    /// When the node in `slot` handles a message that arrives at `arrival`. A slow node
    /// runs late by its current lag (the slow delay ±50%, drawn afresh each virtual second)
    /// and handles its inbox in order, so a message never overtakes one queued before it.
    @inline(__always)
    private mutating func handledAt(_ slot: Int, arrival: SimTime) -> SimTime {
        guard processes[slot].slow else { return arrival }
        if arrival >= processes[slot].lagUntil {
            processes[slot].lag = SimTime(Double(slowDelay) * (0.5 + random.unit()))
            processes[slot].lagUntil = arrival + .seconds(1)
        }
        let at = max(arrival + processes[slot].lag, processes[slot].inboxFreeAt)
        processes[slot].inboxFreeAt = at
        return at
    }

    private mutating func rescheduleTick(_ slot: Int, at now: SimTime, afterTick: Bool) {
        let deadline = SimTime(max(0, cores[slot]!.nextDeadline.nanoseconds))
        let at = afterTick ? max(deadline, now + 1_000) : max(deadline, now)
        guard at < processes[slot].scheduledTick else { return }
        processes[slot].tickGeneration &+= 1
        processes[slot].scheduledTick = at
        queue.schedule(.tick(slot: Int32(slot), generation: processes[slot].tickGeneration), at: at)
    }

    // MARK: - What the nodes conclude

    private mutating func observe(_ event: MembershipEvent, at observer: Int, time: SimTime) {
        let member = event.member
        guard let subjectSlot = slotByName[member.id.name] else { return }
        let subject = Int(subjectSlot)
        guard subject != observer else { return }
        let current = running[subject] && !processes[subject].leaving && processes[subject].uid == member.id.uid
        let reachable = network.reachable(observer, subject)
        switch event {
        case .suspected:
            detection.suspected(subject: subject, uid: member.id.uid, incarnation: member.incarnation,
                                subjectIsRunning: current, reachable: reachable, subjectIsSlow: processes[subject].slow)
            observations.suspicions += 1
        case .failed:
            detection.failed(observer: observer, subject: subject, uid: member.id.uid,
                             incarnation: member.incarnation, subjectIsRunning: current,
                             reachable: reachable, at: time)
        case .joined, .updated, .refuted:
            // A member's alive record carries its meta, `config.ENV` among it: a node that
            // missed a version's rumor (a partition, a late join) learns of it here.
            if current, member.state == .alive,
               let fetch = configSpread.heardOf(configSpread.held[subject], at: observer, announcer: subjectSlot) {
                fetchBundle(fetch, by: observer, at: time)
            }
        default:
            break
        }
        if current, views != nil {
            views!.observed(observer: observer, subject: subject, alive: member.state == .alive)
            if views!.isComplete { viewsBecameComplete(at: time) }
        }
    }

    private mutating func viewsBecameComplete(at time: SimTime) {
        if observations.joinConverged == nil, time >= observations.lastInitialStart {
            observations.joinConverged = time
        }
        for (index, heal) in observations.heals.enumerated() where observations.healConverged[index] == nil {
            observations.healConverged[index] = time - heal
        }
    }

    // MARK: - Processes

    private mutating func addSlot() {
        let slot = names.count
        let name = "node-\(slot)"
        let address = NodeAddress(host: "10.\(slot >> 16 & 255).\(slot >> 8 & 255).\(slot & 255)", port: 7946)
        names.append(name)
        addresses.append(address)
        slotByAddress[address] = Int32(slot)
        slotByName[name] = Int32(slot)
        cores.append(nil)
        processes.append(Process())
        running.append(false)
        network.addSlot()
        configSpread.addSlot()
    }

    /// Running processes that are not on their way out: the nodes expected to detect a
    /// crash or deliver a rumor.
    private var staying: [Bool] {
        running.indices.map { running[$0] && !processes[$0].leaving }
    }

    var slowNodeCount: Int { processes.filter(\.slow).count }

    private mutating func markSlowNodes() {
        let count = Int((config.slow.fraction * Double(config.nodes)).rounded())
        guard count > 0 else { return }
        var slots = Array(0..<config.nodes)
        slots.shuffle(using: &random)
        for slot in slots.prefix(count) { processes[slot].slow = true }
    }

    /// Starts a new process in `slot` (a fresh uid) and joins it through the seeds.
    private mutating func start(_ slot: Int, at now: SimTime) throws {
        processes[slot].epoch &+= 1
        processes[slot].leaving = false
        processes[slot].scheduledTick = .max
        var nodeRandom = SeededRandom(seed: config.seed, stream: UInt64(slot) << 32 | UInt64(processes[slot].epoch))
        let uid = NodeID.freshUID(wallClockNanoseconds: Int64(now), random: &nodeRandom)
        processes[slot].uid = uid
        let core = try GossipNode(name: names[slot], uid: uid, address: addresses[slot], tags: [:], meta: [:],
                              config: gossipConfig, now: instant(now), random: nodeRandom, profiles: profiles)
        let outputs = core.join(seeds: seeds.filter { $0 != addresses[slot] }, now: instant(now))
        cores[slot] = core
        running[slot] = true
        traffic.runningChanged(by: 1, at: now)
        views?.started(slot: slot)
        carryOut(outputs, from: slot, at: now)
        rescheduleTick(slot, at: now, afterTick: false)
    }

    private mutating func stop(_ slot: Int, at now: SimTime) {
        running[slot] = false
        if let core = cores[slot] { observations.count(core.stats) }
        cores[slot] = nil
        processes[slot].tickGeneration &+= 1
        traffic.runningChanged(by: -1, at: now)
        detection.observerGone(slot: slot)
        rumorTracker.nodeGone(slot: slot, at: now)
        configSpread.nodeGone(slot: slot, at: now)
        if !processes[slot].leaving { views?.stopped(slot: slot) }
    }

    private mutating func apply(_ action: FaultAction, at now: SimTime) throws {
        switch action {
        case let .crash(slot):
            guard running[slot] else { return }
            let uid = processes[slot].uid
            stop(slot, at: now)
            detection.crashed(slot: slot, uid: uid, at: now, running: staying)
            observations.crashes += 1
        case let .restart(slot):
            guard !running[slot] else { return }
            detection.restarted(slot: slot)
            try start(slot, at: now)
            observations.restarts += 1
        case let .partition(index):
            network.partition(sizes: config.partitions[index].groups, count: config.nodes)
            observations.partitions += 1
        case .heal:
            network.heal()
            observations.heals.append(now)
            observations.healConverged.append(nil)
            if views?.isComplete == true { viewsBecameComplete(at: now) }
        case .churnJoin:
            addSlot()
            let slot = names.count - 1
            if let index = config.partitions.firstIndex(where: { .seconds($0.at) <= now && now < .seconds($0.heal) }) {
                network.assignNewSlot(slot, groups: config.partitions[index].groups.count)
            }
            try start(slot, at: now)
            observations.churnJoins += 1
        case .churnLeave:
            let candidates = (config.seedCount..<names.count).filter {
                running[$0] && !processes[$0].leaving && !schedule.crashVictims.contains($0)
            }
            guard !candidates.isEmpty else { return }
            let slot = candidates[Int(random.next() % UInt64(candidates.count))]
            processes[slot].leaving = true
            views?.stopped(slot: slot)
            let outputs = cores[slot]!.leave(now: instant(now))
            carryOut(outputs, from: slot, at: now)
            rescheduleTick(slot, at: now, afterTick: false)
            queue.schedule(.stop(slot: Int32(slot), epoch: processes[slot].epoch),
                           at: now + .seconds(FaultSchedule.leaveGrace))
            observations.churnLeaves += 1
        }
    }

    private mutating func injectRumor(_ index: Int, at now: SimTime) throws {
        let candidates = running.indices.filter { running[$0] && !processes[$0].leaving }
        guard !candidates.isEmpty else { return }
        let origin = candidates[Int(random.next() % UInt64(candidates.count))]
        let subject = "sim/rumor-\(index)"
        rumorTracker.injected(subject: subject, origin: origin, at: now, running: staying)
        let rumor = Rumor(subject: subject, version: 1, payload: Array(repeating: UInt8(index & 255), count: 32),
                          urgent: config.urgentRumors)
        let outputs = try cores[origin]!.broadcast(rumor, now: instant(now))
        carryOut(outputs, from: origin, at: now)
        rescheduleTick(origin, at: now, afterTick: false)
    }

    @inline(__always)
    private func instant(_ time: SimTime) -> Instant {
        Instant(nanoseconds: Int64(time))
    }
}

/// Facts about the run collected on the way, for the report.
struct Observations {
    /// Where virtual time stood when the run ended (before the end only with a wall-clock limit).
    var reached: SimTime = 0
    var stopReason: String?
    var lastInitialStart: SimTime = 0
    var joinConverged: SimTime?
    var heals: [SimTime] = []
    var healConverged: [SimTime?] = []
    var suspicions = 0
    var crashes = 0
    var restarts = 0
    var partitions = 0
    var churnJoins = 0
    var churnLeaves = 0
    /// Push-pulls the nodes started (joins and re-joins included), over the whole run.
    var pushPulls = 0
    /// The part of `pushPulls` started on a peer's census.
    var censusExchanges = 0

    /// Adds a node's exchanges as it stops or as the run ends.
    mutating func count(_ stats: GossipStats) {
        pushPulls += stats.pushPullRuns
        censusExchanges += stats.censusExchanges
    }
}
