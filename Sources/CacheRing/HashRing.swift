/// A consistent-hash ring of virtual nodes. Each member places `weight × pointsPerWeight`
/// points at `StableHash("name#i")`; a key belongs to the member of the first point at or
/// after the key's hash, wrapping around. The same members give the same ring on every node,
/// whatever order they are listed in.
///
/// When a member joins, only the keys that land on its new points move (about 1/N of them);
/// when one leaves, only its own keys move.
public struct HashRing: Sendable {
    /// Member names, in the order given to `init`; lookups answer indices into it.
    public let members: [String]
    private let points: [UInt64]
    private let pointOwners: [Int32]

    /// Members with a weight of 0 or less place no points.
    public init(members: [(name: String, weight: Int)], pointsPerWeight: Int) {
        self.members = members.map(\.name)
        var placed: [(hash: UInt64, name: String, member: Int32)] = []
        for (index, member) in members.enumerated() where member.weight > 0 {
            for replica in 0..<(member.weight * pointsPerWeight) {
                placed.append((StableHash.hash("\(member.name)#\(replica)"), member.name, Int32(index)))
            }
        }
        // Ties between equal hashes (vanishingly rare) are broken by name, so order never matters.
        placed.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.name < $1.name }
        points = placed.map(\.hash)
        pointOwners = placed.map(\.member)
    }

    /// The first member, walking the ring from `hash`, that `accept` takes; each point is offered
    /// once, so a member is offered as many times as it has points. Nil if none is taken.
    public func firstMember(from hash: UInt64, where accept: (Int) -> Bool) -> Int? {
        let start = firstPoint(atOrAfter: hash)
        for offset in 0..<points.count {
            var position = start + offset
            if position >= points.count { position -= points.count }
            let member = Int(pointOwners[position])
            if accept(member) { return member }
        }
        return nil
    }

    /// Up to `count` distinct members walking the ring from `hash`: the owner first, then its
    /// successors (the replicas).
    public func distinctMembers(from hash: UInt64, count: Int) -> [Int] {
        var found: [Int] = []
        let wanted = min(count, members.count)
        guard wanted > 0 else { return found }
        found.reserveCapacity(wanted)
        _ = firstMember(from: hash) { member in
            if !found.contains(member) { found.append(member) }
            return found.count == wanted
        }
        return found
    }

    private func firstPoint(atOrAfter hash: UInt64) -> Int {
        var low = 0, high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid] < hash { low = mid + 1 } else { high = mid }
        }
        return low == points.count ? 0 : low
    }
}
