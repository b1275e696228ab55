extension Array {
    /// Appends, growing the storage by an eighth instead of doubling it: per-member arrays
    /// of a large mesh then hold at most ~12% spare room instead of up to 100%.
    mutating func appendGrowingGently(_ element: Element) {
        if count == capacity { reserveCapacity(count + count / 8 + 8) }
        append(element)
    }
}
