/// Failure detection as the survivors experience it: for every crash, when each
/// node that was running at the time declared the crashed process dead; and every
/// suspicion or death declared about a process that is in fact running and reachable.
struct DetectionTracker {
    struct Crash {
        let slot: Int
        let uid: UInt64
        let time: SimTime
        /// Observers still expected to declare this crash, by slot.
        var pending: [Bool]
        var pendingCount: Int
        /// Observers that declared it, with the delay.
        var detections: [SimTime] = []
        /// Observers that left the run (crashed, left) before declaring it.
        var observersLost = 0
        /// Observers still pending when the same slot restarted.
        var supersededByRestart = 0
        var isOpen = true
    }

    private(set) var crashes: [Crash] = []
    private var openCrashByUID: [UInt64: Int] = [:]
    /// Suspect verdicts, one per observer, about a process that runs and is reachable from it.
    private(set) var falseSuspicions = 0
    private(set) var falseDeaths = 0
    /// The part of `falseSuspicions` about slow nodes.
    private(set) var falseSuspicionsOfSlowNodes = 0

    mutating func crashed(slot: Int, uid: UInt64, at time: SimTime, running: [Bool]) {
        var pending = running
        pending[slot] = false
        let count = pending.reduce(0) { $0 + ($1 ? 1 : 0) }
        openCrashByUID[uid] = crashes.count
        crashes.append(Crash(slot: slot, uid: uid, time: time, pending: pending, pendingCount: count))
        observerGone(slot: slot)
    }

    /// An observer's process ended; it can no longer detect anything.
    mutating func observerGone(slot: Int) {
        for index in openCrashByUID.values where crashes[index].pending.indices.contains(slot) {
            if crashes[index].pending[slot] {
                crashes[index].pending[slot] = false
                crashes[index].pendingCount -= 1
                crashes[index].observersLost += 1
            }
        }
    }

    /// The slot of a crashed process runs again: detections of the old process stop counting.
    mutating func restarted(slot: Int) {
        for (uid, index) in openCrashByUID where crashes[index].slot == slot {
            crashes[index].supersededByRestart = crashes[index].pendingCount
            crashes[index].isOpen = false
            openCrashByUID[uid] = nil
        }
    }

    /// Distinct false suspicions: one per (process, incarnation) however many nodes heard it.
    private var falseEpisodes: Set<Episode> = []
    var falseSuspicionEpisodes: Int { falseEpisodes.count }
    /// The part of `falseSuspicionEpisodes` about slow nodes.
    private(set) var falseSuspicionEpisodesOfSlowNodes = 0
    /// Slow nodes falsely suspected at least once.
    var slowNodesFalselySuspected: Int { slowSubjectsSuspected.count }
    private var slowSubjectsSuspected: Set<Int> = []

    private struct Episode: Hashable {
        let slot: Int
        let uid: UInt64
        let incarnation: UInt64
    }

    /// Some observer declared the process `uid` in `subject` suspect at `incarnation`.
    mutating func suspected(subject: Int, uid: UInt64, incarnation: UInt64,
                            subjectIsRunning: Bool, reachable: Bool, subjectIsSlow: Bool) {
        guard subjectIsRunning && reachable else { return }
        falseSuspicions += 1
        if subjectIsSlow { falseSuspicionsOfSlowNodes += 1 }
        let fresh = falseEpisodes.insert(Episode(slot: subject, uid: uid, incarnation: incarnation)).inserted
        if subjectIsSlow, fresh {
            falseSuspicionEpisodesOfSlowNodes += 1
            slowSubjectsSuspected.insert(subject)
        }
    }

    /// The first false deaths, to find them again in a rerun with the same seed.
    private(set) var falseDeathRecords: [FalseDeath] = []
    static let falseDeathRecordLimit = 20

    struct FalseDeath: Equatable {
        let time: SimTime
        let observer: Int
        let subject: Int
        let incarnation: UInt64
    }

    /// `observer` declared the process `uid` in `subject` dead at `incarnation`.
    mutating func failed(observer: Int, subject: Int, uid: UInt64, incarnation: UInt64,
                         subjectIsRunning: Bool, reachable: Bool, at time: SimTime) {
        if subjectIsRunning {
            guard reachable else { return }
            falseDeaths += 1
            if falseDeathRecords.count < DetectionTracker.falseDeathRecordLimit {
                falseDeathRecords.append(FalseDeath(time: time, observer: observer, subject: subject,
                                                    incarnation: incarnation))
            }
            return
        }
        guard let index = openCrashByUID[uid], crashes[index].pending.indices.contains(observer),
              crashes[index].pending[observer] else { return }
        crashes[index].pending[observer] = false
        crashes[index].pendingCount -= 1
        crashes[index].detections.append(time - crashes[index].time)
        if crashes[index].pendingCount == 0 {
            crashes[index].isOpen = false
            openCrashByUID[uid] = nil
        }
    }

    var samples: [SimTime] { crashes.flatMap(\.detections) }

    /// Crashes that some survivor never declared dead (before the run ended or the node restarted).
    var undetectedCrashes: Int {
        crashes.filter { $0.pendingCount > 0 || $0.supersededByRestart > 0 }.count
    }

    var undetectedPairs: Int {
        crashes.reduce(0) { $0 + ($1.supersededByRestart > 0 ? $1.supersededByRestart : $1.pendingCount) }
    }
}
