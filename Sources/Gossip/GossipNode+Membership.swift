#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The SWIM merge rules. A higher incarnation wins; at equal incarnation dead beats
/// suspect beats alive; a larger uid (a newer process under the same name) replaces the
/// old identity, and news about a smaller uid is stale and ignored.
extension GossipNode {
    /// `fromState`: the record came in a full state, not in a datagram. A state lists every
    /// member its sender holds: a member first heard of there is not announced on (unless
    /// it is the state's sender), since its own announcement is still spreading by gossip
    /// and the census finds the pairs gossip misses; re-announcing whole states would queue
    /// up to N announcements at every node of a mass start, each sent λ·⌈log10(N+1)⌉ times.
    /// Nor is a member listed there evidence that anyone spreads its news, as a copy heard
    /// in a datagram is (`BroadcastQueue.heardCopy`).
    func handleAlive(_ incoming: Member, from sender: NodeAddress?, fromState: Bool = false, now: Instant) {
        if incoming.name == localName {
            aliveAboutSelf(incoming, now: now)
            return
        }
        guard let slot = table.slot(named: incoming.name) else {
            var member = incoming
            member.state = .alive
            let slot = table.insert(member, stateChangedAt: now)
            probeRotation.insert(ProbeTarget(slot: slot, uid: member.id.uid))
            emit(.membership(.joined(member)))
            if !fromState || sender == member.address { announceArrival(slot, from: sender, now: now) }
            return
        }
        let knownUID = table.records[slot].id.uid
        if incoming.id.uid < knownUID { return }
        if incoming.id.uid > knownUID {
            replaceIdentity(slot: slot, with: incoming, from: sender, now: now)
            return
        }
        guard incoming.incarnation > table.records[slot].incarnation else {
            if !fromState, incoming.incarnation == table.records[slot].incarnation, table[slot].state == .alive {
                queue.heardCopy(of: .member(incoming.name), limit: retransmitLimit, backlog: gossipRoundBytes)
            }
            return
        }
        let known = table[slot].member
        let wasSuspect = known.state == .suspect
        let wasGone = !known.isLive
        let changed = table.modify(slot) { record -> Member in
            var member = incoming
            member.state = .alive
            record.member = member
            if wasSuspect, config.lifeguard { record.answersLate = true }
            return record.member
        }
        suspicions[changed.name] = nil
        let record = table[slot].aliveRecord
        if wasSuspect {
            emit(.membership(.refuted(changed)))
            enqueueAndForward(.member(changed.name), record: record, except: sender, priority: .refutation, now: now)
        } else if wasGone {
            probeRotation.insert(ProbeTarget(slot: slot, uid: changed.id.uid))
            emit(.membership(.joined(changed)))
            enqueueAndForward(.member(changed.name), record: record, except: sender, priority: .refutation, now: now)
        } else if changed.address != known.address || changed.tags != known.tags || changed.meta != known.meta {
            emit(.membership(.updated(changed)))
            enqueue(.member(changed.name), record: record)
        } else {
            // A higher incarnation with nothing else changed is a refutation of a suspicion
            // this node had not heard of. Others may hold that suspicion with their timers
            // running: it is passed on as a refutation, ahead of every other piece of news.
            enqueue(.member(changed.name), record: record, priority: .refutation)
        }
    }

    /// A newer process took over the name: the old identity is gone for good.
    private func replaceIdentity(slot: Int, with incoming: Member, from sender: NodeAddress?, now: Instant) {
        let wasLive = table[slot].isLive
        var member = incoming
        member.state = .alive
        table.modify(slot) { record in
            record = MemberRecord(member: member)
        }
        suspicions[member.name] = nil
        probeRotation.insert(ProbeTarget(slot: slot, uid: member.id.uid))
        emit(.membership(wasLive ? .updated(member) : .joined(member)))
        announceArrival(slot, from: sender, now: now)
    }

    /// News of a new process. Heard from the newcomer itself (its join announcement), it
    /// is forwarded at once to a few peers as well as gossiped, so a join reaches most of
    /// the mesh within a few network delays; heard second-hand, it is only gossiped, which
    /// bounds the extra packets per join whatever the size of the mesh. The queued copy
    /// keeps ordinary priority, so a burst of joins (a mesh starting up) does not hold back
    /// suspicions, deaths and urgent rumors.
    private func announceArrival(_ slot: Int, from sender: NodeAddress?, now: Instant) {
        let member = table[slot]
        if rebroadcastEnabled, sender == member.address {
            enqueueAndForward(.member(member.name), record: member.aliveRecord, except: sender, priority: .plain, now: now)
        } else {
            enqueue(.member(member.name), record: member.aliveRecord)
        }
    }

    private func aliveAboutSelf(_ incoming: Member, now: Instant) {
        let me = localMember
        guard incoming.id.uid == me.id.uid, !hasLeft else { return }
        // Someone holds a newer or conflicting view of us: announce ourselves above it.
        if incoming.incarnation > me.incarnation
            || (incoming.incarnation == me.incarnation
                && (incoming.address != me.address || incoming.tags != me.tags || incoming.meta != me.meta)) {
            refute(above: incoming.incarnation, now: now)
        }
    }

    /// `confirms`: whether the suspecters named are witnesses. A push-pull state names its
    /// sender, which only holds the suspicion (most likely heard from the suspecters this node
    /// heard it from): it may start a suspicion, never confirm one, or every exchange with a
    /// node that heard of it would shorten the timer as if another prober had failed.
    func handleSuspect(id: NodeID, incarnation: Incarnation, suspecters: [String], confirms: Bool = true,
                       from sender: NodeAddress?, now: Instant) {
        if id.name == localName {
            guard id.uid == localUID, !hasLeft else { return }
            let accusers = [sender].compactMap { $0 } + suspecters.compactMap(address(named:))
            if incarnation >= localMember.incarnation {
                refute(above: incarnation, accusers: accusers, now: now)
            } else {
                answerLateAccusers(accusers)
            }
            return
        }
        guard let slot = table.slot(named: id.name) else { return }
        let known = table[slot].member
        guard known.id.uid == id.uid, known.isLive else { return }
        guard incarnation >= known.incarnation else {
            answerStaleSuspicion(of: known, from: sender)
            return
        }
        if known.state == .suspect, incarnation == known.incarnation {
            if confirms { confirm(slot: slot, suspecters: suspecters, from: sender, now: now) }
        } else {
            suspect(slot: slot, incarnation: incarnation, suspecters: suspecters, from: sender, now: now)
        }
    }

    /// A suspicion at an incarnation this node has already seen refuted: the sender holds it
    /// with its timer running, so the flood and the gossip of the refutation missed it. With
    /// Lifeguard it gets the refutation straight back. The nodes a refutation missed give
    /// themselves away by passing on the suspicion they still hold.
    private func answerStaleSuspicion(of member: Member, from sender: NodeAddress?) {
        guard config.lifeguard, member.state == .alive, let sender else { return }
        sendRecord(.alive(member), to: sender)
    }

    /// Starts a suspicion (or restarts it at a higher incarnation), tells the mesh urgently,
    /// and with Lifeguard tells the suspect itself so it can refute at once.
    func suspect(slot: Int, incarnation: Incarnation, suspecters: [String], from sender: NodeAddress?, now: Instant) {
        let timeouts = suspicionBounds(answersLate: table[slot].answersLate)
        let suspicion = Suspicion(start: now, minimum: timeouts.minimum, maximum: timeouts.maximum,
                                  expectedConfirmations: config.lifeguard ? config.indirectChecks : 0,
                                  suspecters: suspecters.isEmpty ? ["?"] : suspecters)
        let member = table.modify(slot) { record -> Member in
            record.state = .suspect
            record.member.incarnation = incarnation
            return record.member
        }
        suspicions[member.name] = suspicion
        if sender == nil { stats.suspicionsRaised += 1 }
        emit(.membership(.suspected(member)))
        // Half the usual flood: only the suspect itself must hear at once (it is also told
        // directly); the others learn of the death, which floods in full.
        let record = Message.suspect(id: member.id, incarnation: incarnation, suspecters: suspicion.suspecters)
        enqueueAndForward(.member(member.name), record, except: sender, fanout: (config.urgentFanout + 1) / 2, now: now)
        if config.lifeguard, sender == nil {
            sendRecord(record, to: member.address)
        }
    }

    /// Dogpile: more independent suspecters shorten the timeout. Confirmations travel by
    /// gossip (first in every packet), not by flood.
    private func confirm(slot: Int, suspecters: [String], from sender: NodeAddress?, now: Instant) {
        let member = table[slot].member
        guard var suspicion = suspicions[member.name] else { return }
        var grown = false
        for name in suspecters where suspicion.confirm(by: name) { grown = true }
        guard grown else { return }
        suspicions[member.name] = suspicion
        let record = Message.suspect(id: member.id, incarnation: member.incarnation, suspecters: suspicion.suspecters)
        enqueueAndForward(.member(member.name), record, except: sender, fanout: 0, now: now)
    }

    /// The mesh size that the Lifeguard minimum covers a refutation's spread in.
    static let refutationReach = 1_000.0

    /// With Lifeguard: minimum = suspicionMultiplier × probeTimeout (long enough for a node
    /// that handles its inbox a second late to hear of the suspicion and refute it, and for
    /// the refutation to reach every suspecter of a mesh of `refutationReach` members; in a
    /// larger mesh it grows as the refutation's spread does, with log N),
    /// maximum = suspicionMaxMultiplier × minimum; a suspicion's timer runs by them as
    /// local health stretches them (`deadline(of:)`).
    /// A member known to answer late (it refuted a suspicion and has not answered a probe
    /// in time since) gets `latePatience` times the minimum, as it does the probe timeout:
    /// its refutation comes as late as its acks, and a suspicion confirmed by every relay of
    /// a probe would otherwise run out at the minimum while the suspect is still reading it.
    /// Without: the classic fixed suspicionMultiplier × log10(N) × protocolPeriod.
    func suspicionBounds(answersLate: Bool = false) -> (minimum: Duration, maximum: Duration) {
        let logN = log10(Double(table.liveCount))
        guard config.lifeguard else {
            let fixed = config.protocolPeriod.scaled(by: Double(config.suspicionMultiplier) * max(1, logN))
            return (fixed, fixed)
        }
        let minimum = (config.probeTimeout * config.suspicionMultiplier).scaled(by: max(1, logN / log10(Self.refutationReach)))
        return (answersLate ? minimum * Self.latePatience : minimum, minimum * config.suspicionMaxMultiplier)
    }

    /// When a suspicion ends: its dogpile timeout stretched by local health as it is now, not
    /// as it was when the suspicion began. A node that misses acks or has to refute cannot
    /// trust its own timing, so it waits longer before declaring others dead (the healthy
    /// nodes' verdicts reach it anyway), and one that fell behind while the timer ran may
    /// hold the refutation in its own inbox.
    func deadline(of suspicion: Suspicion) -> Instant {
        suspicion.start + awareness.scale(suspicion.timeout)
    }

    func expireSuspicions(now: Instant) {
        guard !suspicions.isEmpty else { return }
        var due: [Int] = []
        for (name, suspicion) in suspicions where now >= deadline(of: suspicion) {
            if let slot = table.slot(named: name) { due.append(slot) }
        }
    // In slot order, not the dictionary's: the same inputs give the same outputs.
        for slot in due.sorted() {
            let member = table[slot].member
            stats.deathsDeclared += 1
            markGone(slot: slot, incarnation: member.incarnation, left: false, from: localName, sender: nil, now: now)
        }
    }

    func handleDead(id: NodeID, incarnation: Incarnation, from: String, left: Bool, sender: NodeAddress?, now: Instant) {
        if id.name == localName {
            guard id.uid == localUID, !hasLeft else { return }
            let accusers = [sender, address(named: from)].compactMap { $0 }
            if incarnation >= localMember.incarnation {
                refute(above: incarnation, accusers: accusers, now: now)
            } else {
                answerLateAccusers(accusers)
            }
            return
        }
        guard let slot = table.slot(named: id.name) else {
            // Unknown member: keep a tombstone so stale alive gossip cannot bring it back.
            let member = Member(id: id, address: NodeAddress(host: "", port: 0), incarnation: incarnation,
                                state: left ? .left : .dead)
            _ = table.insert(member, stateChangedAt: now)
            tombstones.append(id, at: now)
            return
        }
        let known = table[slot].member
        if id.uid > known.id.uid {
            let member = table.modify(slot, stateChangedAt: now) { record -> Member in
                record = MemberRecord(member: Member(id: id, address: known.address, incarnation: incarnation,
                                                     state: left ? .left : .dead))
                return record.member
            }
            suspicions[member.name] = nil
            tombstones.append(id, at: now)
            return
        }
        guard known.id.uid == id.uid, known.isLive, incarnation >= known.incarnation else { return }
        if !left, accuserIsDead(from) {
            handleSuspect(id: id, incarnation: incarnation, suspecters: [from], from: sender, now: now)
            return
        }
        markGone(slot: slot, incarnation: incarnation, left: left, from: from, sender: sender, now: now)
    }

    /// A death declared by a member this node holds dead is news from the other side of a
    /// partition: when it heals, each side's verdicts about the other's members cross, the
    /// freshest still being flooded. Here the accused may well be alive and next to us, so
    /// the verdict counts as a suspicion, which it can refute before the timer runs out.
    private func accuserIsDead(_ accuser: String) -> Bool {
        guard accuser != localName, let slot = table.slot(named: accuser) else { return false }
        return table[slot].state == .dead
    }

    /// Dead or left: a tombstone from now on, announced urgently.
    private func markGone(slot: Int, incarnation: Incarnation, left: Bool, from: String, sender: NodeAddress?, now: Instant) {
        let member = table.modify(slot, stateChangedAt: now) { record -> Member in
            record.state = left ? .left : .dead
            record.member.incarnation = incarnation
            return record.member
        }
        suspicions[member.name] = nil
        tombstones.append(member.id, at: now)
        emit(.membership(left ? .left(member) : .failed(member)))
        let record = Message.dead(id: member.id, incarnation: incarnation, from: from, left: left)
        enqueueAndForward(.member(member.name), record, except: sender, now: now)
    }

    /// Raises the incarnation above a suspicion or death and floods the news; Lifeguard counts
    /// having to refute as a sign of our own poor health. The accusers
    /// (the node that told us and the suspecters it names) are also told directly: their
    /// timers are the ones running out, and a flood from a node that joined moments ago, or
    /// knows few members, can take longer to reach them than the suspicion leaves.
    func refute(above incarnation: Incarnation, accusers: [NodeAddress] = [], now: Instant) {
        let me = table.modify(0) { record -> Member in
            record.member.incarnation = max(record.member.incarnation, incarnation) + 1
            return record.member
        }
        stats.refutations += 1
        awareness.apply(delta: 1)
        stats.awarenessScore = awareness.score
        enqueueAndForward(.member(me.name), record: table[0].aliveRecord, except: nil, priority: .refutation, now: now)
        refutedAccusers = []
        answerLateAccusers(accusers)
    }

    /// Sends the current alive record straight to each accuser not yet told at this
    /// incarnation. Besides the accusers of the refuted suspicion, this answers every node
    /// that still suspects us (or holds us dead) at an incarnation we already refuted:
    /// each holds a timer of its own, and in a mesh busy with join traffic the flooded
    /// refutation can reach the last few of them only after that timer has run out.
    func answerLateAccusers(_ accusers: [NodeAddress]) {
        let me = localMember
        for address in accusers where address != me.address && !refutedAccusers.contains(address) {
            refutedAccusers.insert(address)
            sendRecord(.alive(me), to: address)
            stats.lateAccusersAnswered += 1
        }
    }

    private func address(named name: String) -> NodeAddress? {
        guard name != localName, let slot = table.slot(named: name) else { return nil }
        return table[slot].address
    }
}
