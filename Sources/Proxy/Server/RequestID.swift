import Synchronization

/// `X-Request-Id` values: a client's own id is kept when it is sane, otherwise a new
/// one is made from a random per-process prefix and a counter (unique, cheap, sortable).
final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        prefix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let digits = HTTPSyntax.hexDigitCount(n)
        var prefix = self.prefix
        return prefix.withUTF8 { prefix in
            String(unsafeUninitializedCapacity: prefix.count + 1 + digits) { out in
                let out = UnsafeMutableRawBufferPointer(out)
                out.copyBytes(from: prefix)
                out[prefix.count] = UInt8(ascii: "-")
                HTTPSyntax.writeHex(n, digits: digits, to: out, at: prefix.count + 1)
                return prefix.count + 1 + digits
            }
        }
    }

    /// A client-supplied id is kept if it is 1...128 visible ASCII characters.
    static func isAcceptable(_ id: String) -> Bool {
        let bytes = id.utf8
        return !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
