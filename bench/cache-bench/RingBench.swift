import CacheRing

/// Keys per member (max/avg) for 3, 8, 32 and 100 members, and the share of keys whose
/// primary owner changes when one member joins or leaves, beside the ideal 1/N.
enum RingBench {
    static let keys = (0..<1_000_000).map { "GET example.com/items/\($0)" }

    struct Layout {
        let name: String
        let make: ([String]) -> (String) -> String
    }

    static var layouts: [Layout] {
        let rings = [64, 128, 256].map { points in
            Layout(name: "virtual nodes, \(points)/member") { members in
                let ring = HashRing(members: members.map { ($0, 1) }, pointsPerWeight: points)
                return { key in ring.members[ring.firstMember(from: StableHash.hash(key)) { _ in true }!] }
            }
        }
        let tables = [271, 1024].map { partitions in
            Layout(name: "\(partitions) partitions, bounded load 1.25") { members in
                BoundedLoadPartitions(members: members, partitions: partitions, load: 1.25, pointsPerMember: 64).primary
            }
        }
        return rings + tables
    }

    static func run() {
        print("layout | N | max/avg keys | moved on join (1/(N+1)) | moved on leave (1/N)")
        for layout in layouts {
            for n in [3, 8, 32, 100] {
                let members = (0..<n).map { "node-\($0)" }
                let before = keys.map(layout.make(members))
                var perMember: [String: Int] = [:]
                for owner in before { perMember[owner, default: 0] += 1 }
                let ratio = Double(perMember.values.max()!) / (Double(keys.count) / Double(n))
                let joined = keys.map(layout.make(members + ["node-\(n)"]))
                let left = keys.map(layout.make(members.filter { $0 != "node-\(n / 2)" }))
                let join = share(before, joined), leave = share(before, left)
                print("\(layout.name) | \(n) | \(fixed(ratio)) | \(fixed(join)) (\(fixed(1 / Double(n + 1)))) | \(fixed(leave)) (\(fixed(1 / Double(n))))")
            }
        }
    }

    static func share(_ a: [String], _ b: [String]) -> Double {
        Double(zip(a, b).filter { $0 != $1 }.count) / Double(a.count)
    }
}

func fixed(_ value: Double, _ digits: Int = 3) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}
