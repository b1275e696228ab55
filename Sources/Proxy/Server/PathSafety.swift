enum PathSafety {
    /// `.` or `..` segments (also percent-encoded) could make the upstream resolve a path outside the route.
    static func hasDotSegment(_ path: Substring) -> Bool {
        if let found = path.utf8.withContiguousStorageIfAvailable({ hasDotSegment(UnsafeRawBufferPointer($0)) }) {
            return found
        }
        var path = path
        return path.withUTF8 { hasDotSegment(UnsafeRawBufferPointer($0)) }
    }

    static func hasDotSegment(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var dots = 0
        var other = false
        var index = 0
        while true {
            guard index < bytes.count, bytes[index] != UInt8(ascii: "/") else {
                if !other && (dots == 1 || dots == 2) { return true }
                guard index < bytes.count else { return false }
                index += 1
                dots = 0
                other = false
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                dots += 1
                index += 1
            } else if byte == UInt8(ascii: "%"), bytes.count - index >= 3,
                HTTPSyntax.equalsIgnoringASCIICase(UnsafeRawBufferPointer(rebasing: bytes[index + 1..<index + 3]), "2e")
            {
                dots += 1
                index += 3
            } else {
                other = true
                index += 1
            }
        }
    }
}
