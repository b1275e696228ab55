/// A consistent-hash ring of virtual nodes. Each member places `weight × pointsPerWeight`
/// points at `StableHash("name#i")`; a key belongs to the member of the first point at or
/// after the key's hash, wrapping around. The same members give the same ring on every node,
/// whatever order they are listed in.
///
/// When a member joins, only the keys that land on its new points move (about 1/N of them);
/// when one leaves, only its own keys move.
public struct HashRing: Sendable {
    /// Member names: those given to `init` in their order, then those inserted since; lookups
    /// answer indices into it.
    public private(set) var members: [String]
    private let pointsPerWeight: Int
    /// Every point's hash, ascending; `pointOwners` holds the member index of each.
    private var points: [UInt64] = []
    private var pointOwners: [Int32] = []

    /// Members with a weight of 0 or less place no points.
    public init(members: [(name: String, weight: Int)], pointsPerWeight: Int) {
        self.members = members.map(\.name)
        self.pointsPerWeight = pointsPerWeight
        var placed: [(hash: UInt64, member: Int32)] = []
        placed.reserveCapacity(members.reduce(0) { $0 + max(0, $1.weight) } * pointsPerWeight)
        for (index, member) in members.enumerated() {
            for hash in Self.hashes(of: member.name, weight: member.weight, pointsPerWeight: pointsPerWeight) {
                placed.append((hash, Int32(index)))
            }
        }
        let names = self.members
        placed.sort { Self.precedes($0.hash, names[Int($0.member)], $1.hash, names[Int($1.member)]) }
        points = placed.map(\.hash)
        pointOwners = placed.map(\.member)
    }

    /// Adds a member: its points are merged into the ring, in one pass over the points held,
    /// without hashing or sorting anyone else's.
    public mutating func insert(_ name: String, weight: Int) {
        let index = Int32(members.count)
        members.append(name)
        let added = Self.hashes(of: name, weight: weight, pointsPerWeight: pointsPerWeight).sorted()
        guard !added.isEmpty else { return }
        var mergedPoints: [UInt64] = []
        var mergedOwners: [Int32] = []
        mergedPoints.reserveCapacity(points.count + added.count)
        mergedOwners.reserveCapacity(points.count + added.count)
        var held = 0, new = 0
        while held < points.count || new < added.count {
            let takeNew = held == points.count
                || (new < added.count && Self.precedes(added[new], name, points[held], members[Int(pointOwners[held])]))
            if takeNew {
                mergedPoints.append(added[new])
                mergedOwners.append(index)
                new += 1
            } else {
                mergedPoints.append(points[held])
                mergedOwners.append(pointOwners[held])
                held += 1
            }
        }
        points = mergedPoints
        pointOwners = mergedOwners
    }

    /// Removes the first member named `name` and its points, in one pass over the points; the
    /// members after it move down one index. False when there is no such member.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool {
        guard let gone = members.firstIndex(of: name) else { return false }
        members.remove(at: gone)
        let goneOwner = Int32(gone)
        var kept = 0
        for position in points.indices where pointOwners[position] != goneOwner {
            let owner = pointOwners[position]
            points[kept] = points[position]
            pointOwners[kept] = owner > goneOwner ? owner - 1 : owner
            kept += 1
        }
        points.removeLast(points.count - kept)
        pointOwners.removeLast(pointOwners.count - kept)
        return true
    }

    /// A member's points: `StableHash("name#i")` for i below weight × pointsPerWeight.
    private static func hashes(of name: String, weight: Int, pointsPerWeight: Int) -> [UInt64] {
        guard weight > 0 else { return [] }
        var label = Array(name.utf8) + [UInt8(ascii: "#")]
        let prefix = label.count
        return (0..<(weight * pointsPerWeight)).map { replica in
            label.removeSubrange(prefix...)
            label.append(contentsOf: String(replica).utf8)
            return StableHash.hash(label)
        }
    }

    /// Ring order: by hash; ties between equal hashes (vanishingly rare) by name, so the order
    /// members were given in never matters.
    private static func precedes(_ hash: UInt64, _ name: String, _ otherHash: UInt64, _ otherName: String) -> Bool {
        hash != otherHash ? hash < otherHash : name < otherName
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
