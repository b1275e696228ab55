/// A probe in flight: the one of the current protocol period, or a patient probe of a late
/// responder, which runs two periods beside the next ones.
struct ActiveProbe {
    let target: NodeID
    let address: NodeAddress
    let seq: UInt32
    /// An ack before then shows the target answers in time.
    let timelyUntil: Instant
    /// No direct ack by then: ask relays.
    let indirectAt: Instant
    /// No ack at all by then: suspect the target.
    let endAt: Instant
    var acked = false
    var indirectSent = false
    var streamSent = false
    var relays: [(name: String, address: NodeAddress)] = []
    var nackers: [String] = []
}

/// A ping this node sends on behalf of a requester (ping-req). A nack goes back at `nackAt`
/// if the target has not answered; an ack that comes later, until `forwardUntil`, is still
/// passed on: the requester's probe of a late member lasts two periods.
struct RelayedProbe {
    let requester: NodeAddress
    let requesterSeq: UInt32
    let wantsNack: Bool
    let nackAt: Instant
    let forwardUntil: Instant
    var nacked = false

    var nextDeadline: Instant { nacked ? forwardUntil : nackAt }
}

extension GossipNode {
    /// How many times longer a member known to answer late is waited for: its probe's
    /// period and timeout, a relay's forwarding of its late ack, its suspicion's minimum.
    static let latePatience = 2

    func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    /// Drives the probe cycle: start a probe each (awareness-stretched) period, fall back to
    /// indirect probes after the probe timeout, judge the target at the probe's end.
    func runProbe(now: Instant) {
        var index = 0
        while index < probes.count {
            if !probes[index].acked && !probes[index].indirectSent && now >= probes[index].indirectAt {
                sendIndirectProbes(&probes[index], now: now)
            }
            if now >= probes[index].endAt {
                finishProbe(probes.remove(at: index), now: now)
            } else {
                index += 1
            }
        }
        if now >= nextProbeAt { startProbe(now: now) }
    }

    private func startProbe(now: Instant) {
        let period = awareness.scale(config.protocolPeriod)
        var timeout = awareness.scale(config.probeTimeout)
        let tick = (now.nanoseconds &+ meshClockOffset.nanoseconds) / config.protocolPeriod.nanoseconds
        let scheduled = probeRotation.target(tick: tick, liveCount: table.liveCount) { target in
            table.record(for: target).flatMap { $0.isLive ? $0.id.uid : nil }
        }
        guard let slot = scheduled.map({ Int($0.slot) }) else {
            nextProbeAt = now + period
            return
        }
        let record = table[slot]
        let target = record.id
        var length = period
        if record.answersLate {
            // Patience with a member known to be slow: twice the period and timeout, and the
            // reliable stream ping from the start, so its late ack still arrives in time. The
            // next period's probe starts on time beside it: every prober reaches the late
            // member's successor in the rotation right after it, which a prober that waited
            // would skip at every pass.
            length = period * Self.latePatience
            timeout = timeout * Self.latePatience
        }
        nextProbeAt = now + period
        let seq = nextSequence()
        var packet = MessageEncoder.packetHeader(capacity: config.maxPacketSize)
        // Buddy system: a suspect learns of its suspicion on the next ping and refutes at once.
        _ = appendSuspicion(ofRecipient: slot, to: &packet)
        encoder.append(.ping(seq: seq, target: target.name), to: &packet)
        sendWithPiggyback(packet, to: record.address)
        stats.probesSent += 1
        var started = ActiveProbe(target: target, address: record.address, seq: seq,
                                  timelyUntil: now + config.probeTimeout, indirectAt: now + timeout, endAt: now + length)
        if record.answersLate { sendStreamPing(&started) }
        probes.append(started)
    }

    private func sendIndirectProbes(_ current: inout ActiveProbe, now: Instant) {
        current.indirectSent = true
        let relays = randomPeers(count: config.indirectChecks, now: now, includeRecentlyDead: false,
                                 excluding: current.target.name)
        for slot in relays {
            let relay = table[slot].member
            current.relays.append((relay.name, relay.address))
            var packet = MessageEncoder.packetHeader(capacity: config.maxPacketSize)
            encoder.append(.pingReq(seq: current.seq, target: current.target.name, address: current.address,
                                    wantsNack: true), to: &packet)
            sendWithPiggyback(packet, to: relay.address)
            stats.indirectProbesSent += 1
        }
        sendStreamPing(&current)
    }

    /// Stream fallback (as memberlist's TCP ping): a reliable transport rules out packet loss
    /// as the reason for a missing ack, which removes most false suspicions on lossy links.
    private func sendStreamPing(_ current: inout ActiveProbe) {
        guard !current.streamSent else { return }
        current.streamSent = true
        var ping = MessageEncoder.packetHeader(capacity: 32)
        encoder.append(.ping(seq: current.seq, target: current.target.name), to: &ping)
        stats.streamProbesSent += 1
        emit(.stream(ping, to: current.address))
    }

    /// The period ended without an ack: Lifeguard blames the local node for every expected
    /// nack that did not come, and the target is suspected, with each relay that nacked
    /// counted as an independent confirmation. With Lifeguard, a probe in which no relay
    /// answered at all accuses no one: silence from every side points at the local node's
    /// own network or inbox, and healthy probers will judge the target.
    private func finishProbe(_ finished: ActiveProbe, now: Instant) {
        guard !finished.acked else { return }
        let expected = finished.relays.count
        awareness.apply(delta: expected > 0 ? expected - finished.nackers.count : 1)
        stats.awarenessScore = awareness.score
        if config.lifeguard, expected > 0, finished.nackers.isEmpty { return }
        guard let slot = table.slot(named: finished.target.name) else { return }
        let member = table[slot].member
        guard member.id.uid == finished.target.uid, member.isLive else { return }
        let me = localName
        let suspecters = config.lifeguard ? [me] + finished.nackers : [me]
        handleSuspect(id: member.id, incarnation: member.incarnation, suspecters: suspecters, from: nil, now: now)
    }

    func handlePing(seq: UInt32, target: String, from address: NodeAddress) {
        guard target == localName else { return }
        var packet = MessageEncoder.packetHeader(capacity: config.maxPacketSize)
        encoder.append(.ack(seq: seq), to: &packet)
        sendWithPiggyback(packet, to: address)
    }

    func handlePingReq(seq: UInt32, target: String, targetAddress: NodeAddress, wantsNack: Bool,
                       from requester: NodeAddress, now: Instant) {
        let relaySeq = nextSequence()
        let nackAt = now + awareness.scale(config.probeTimeout).scaled(by: 0.8)
        relays[relaySeq] = RelayedProbe(requester: requester, requesterSeq: seq, wantsNack: wantsNack, nackAt: nackAt,
                                        forwardUntil: now + config.protocolPeriod * Self.latePatience)
        var packet = MessageEncoder.packetHeader(capacity: config.maxPacketSize)
        encoder.append(.ping(seq: relaySeq, target: target), to: &packet)
        sendWithPiggyback(packet, to: targetAddress)
    }

    func handleAck(seq: UInt32, now: Instant) {
        if let index = probes.firstIndex(where: { $0.seq == seq }) {
            stats.acksReceived += 1
            let current = probes[index]
            if !current.acked {
                probes[index].acked = true
                let slot = table.slot(named: current.target.name).flatMap {
                    table[$0].id.uid == current.target.uid ? $0 : nil
                }
                let expectedLate = slot.map { table[$0].answersLate } ?? false
                if now < current.timelyUntil {
                    lateAcks = LateAckStreak()
                    awareness.apply(delta: -1)
                    if expectedLate, let slot { table.modify(slot) { $0.answersLate = false } }
                } else if !expectedLate {
                    // Late acks from one member after another point at this node's own inbox.
                    awareness.apply(delta: lateAcks.record(current.target.name) ? 1 : 0)
                }
                stats.awarenessScore = awareness.score
            }
        } else if let relay = relays.removeValue(forKey: seq) {
            stats.acksReceived += 1
            var packet = MessageEncoder.packetHeader(capacity: config.maxPacketSize)
            encoder.append(.ack(seq: relay.requesterSeq), to: &packet)
            sendWithPiggyback(packet, to: relay.requester)
        }
    }

    func handleNack(seq: UInt32, from address: NodeAddress) {
        guard let index = probes.firstIndex(where: { $0.seq == seq }), !probes[index].acked else { return }
        stats.nacksReceived += 1
        guard let relay = probes[index].relays.first(where: { $0.address == address }),
              !probes[index].nackers.contains(relay.name) else { return }
        probes[index].nackers.append(relay.name)
    }

    func expireRelays(now: Instant) {
        guard !relays.isEmpty else { return }
        // In sequence order, not the dictionary's: the same inputs give the same outputs.
        for (seq, relay) in relays.lazy.filter({ now >= $0.value.nextDeadline }).sorted(by: { $0.key < $1.key }) {
            if relay.nacked || now >= relay.forwardUntil {
                relays[seq] = nil
                continue
            }
            relays[seq]?.nacked = true
            guard relay.wantsNack else { continue }
            var packet = MessageEncoder.packetHeader(capacity: 16)
            encoder.append(.nack(seq: relay.requesterSeq), to: &packet)
            send(packet, to: relay.requester)
        }
    }
}
