import Testing
@testable import Simulation

@Suite struct EventQueueTests {
    @Test func popsInTimeOrderAndKeepsSchedulingOrderWithinAnInstant() {
        var q = EventQueue()
        var random = SeededRandom(seed: 3)
        var expected: [(SimTime, Int32)] = []
        for i in 0..<2_000 {
            let t = SimTime(random.next() % 50)
            q.schedule(.fault(index: Int32(i)), at: t)
            expected.append((t, Int32(i)))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [(SimTime, Int32)] = []
        while let (t, event) = q.pop() {
            guard case let .fault(index) = event else { Issue.record("unexpected event"); return }
            popped.append((t, index))
        }
        #expect(popped.map(\.0) == expected.map(\.0))
        #expect(popped.map(\.1) == expected.map(\.1))
    }

    @Test func seededRandomRepeatsPerSeedAndDiffersAcrossSeeds() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let xs = (0..<8).map { _ in a.next() }
        #expect(xs == (0..<8).map { _ in b.next() })
        #expect(xs != (0..<8).map { _ in c.next() })
        var u = SeededRandom(seed: 1)
        for _ in 0..<1_000 {
            let v = u.unit()
            #expect(v >= 0 && v < 1)
        }
    }
}
