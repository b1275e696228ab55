import CacheRing

/// The alternative to virtual nodes, as Olric and Hazelcast do it: keys hash to one of a fixed
/// number of partitions, and partitions are placed by consistent hashing with bounded loads
/// (Mirrokni, Thorup, Zadimoghaddam 2018): walking the ring from a partition's hash, it goes to
/// the first member holding fewer than ⌈load × partitions / members⌉.
struct BoundedLoadPartitions {
    let partitions: Int
    private(set) var owner: [Int] = []
    let members: [String]

    init(members: [String], partitions: Int, load: Double, pointsPerMember: Int) {
        self.members = members
        self.partitions = partitions
        let ring = HashRing(members: members.map { ($0, 1) }, pointsPerWeight: pointsPerMember)
        let bound = Int((load * Double(partitions) / Double(members.count)).rounded(.up))
        var held = [Int](repeating: 0, count: members.count)
        for partition in 0..<partitions {
            let member = ring.firstMember(from: StableHash.hash("partition-\(partition)")) { held[$0] < bound } ?? 0
            held[member] += 1
            owner.append(member)
        }
    }

    func primary(of key: String) -> String {
        members[owner[Int(StableHash.hash(key) % UInt64(partitions))]]
    }
}
