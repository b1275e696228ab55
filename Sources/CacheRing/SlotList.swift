/// Doubly linked FIFO queues threaded through arrays indexed by slot: push at the head, pop
/// at the tail, unlink anywhere, all O(1) with no allocation per entry.
struct SlotLists {
    static let none: Int32 = -1

    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var heads: [Int32]
    private var tails: [Int32]
    /// The list each slot is on, or -1.
    private var list: [Int8] = []

    init(lists: Int) {
        heads = Array(repeating: Self.none, count: lists)
        tails = heads
    }

    mutating func pushHead(_ slot: Int, on listIndex: Int) {
        grow(to: slot)
        let head = heads[listIndex]
        next[slot] = head
        previous[slot] = Self.none
        if head != Self.none { previous[Int(head)] = Int32(slot) } else { tails[listIndex] = Int32(slot) }
        heads[listIndex] = Int32(slot)
        list[slot] = Int8(listIndex)
    }

    func tail(of listIndex: Int) -> Int? {
        tails[listIndex] == Self.none ? nil : Int(tails[listIndex])
    }

    /// The list `slot` was on, nil if none.
    @discardableResult
    mutating func unlink(_ slot: Int) -> Int? {
        guard slot < list.count, list[slot] >= 0 else { return nil }
        let listIndex = Int(list[slot])
        let before = previous[slot], after = next[slot]
        if before != Self.none { next[Int(before)] = after } else { heads[listIndex] = after }
        if after != Self.none { previous[Int(after)] = before } else { tails[listIndex] = before }
        list[slot] = -1
        return listIndex
    }

    private mutating func grow(to slot: Int) {
        guard slot >= list.count else { return }
        let count = max(slot + 1, list.count * 2)
        next += repeatElement(Self.none, count: count - next.count)
        previous += repeatElement(Self.none, count: count - previous.count)
        list += repeatElement(-1, count: count - list.count)
    }
}
