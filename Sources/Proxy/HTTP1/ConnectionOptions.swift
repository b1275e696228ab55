import NIOHTTP1

/// What a message's `Connection` fields say (RFC 9110 §7.6.1): `close`, `keep-alive`,
/// and the other fields they name, which are hop-by-hop for that message.
struct ConnectionOptions {
    private(set) var close = false
    private(set) var keepAlive = false
    /// Lower-cased names of the fields the `Connection` fields list, besides the two options.
    private(set) var named: [String] = []

    init() {}

    /// Back to what a message without `Connection` fields says, in place: the list of names
    /// is replaced only when it holds any.
    mutating func clear() {
        close = false
        keepAlive = false
        if !named.isEmpty { named = [] }
    }

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers where name.utf8.count == 10 && name.equalsIgnoringASCIICase("connection") {
            var value = value
            value.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Takes in the value of one `Connection` field.
    mutating func add(_ value: UnsafeRawBufferPointer) {
        HTTPSyntax.forEachListElement(value) { word in
            if HTTPSyntax.equalsIgnoringASCIICase(word, "close") {
                close = true
            } else if HTTPSyntax.equalsIgnoringASCIICase(word, "keep-alive") {
                keepAlive = true
            } else {
                named.append(String(decoding: word, as: UTF8.self).lowercased())
            }
        }
    }

    /// Whether the connection stays open after this message, for its HTTP version.
    func persists(_ version: HTTPVersion) -> Bool {
        if close { return false }
        return version.major > 1 || version.minor >= 1 || keepAlive
    }

    /// Whether `name` is one of the fields the `Connection` fields list.
    func names<Name: Collection<UInt8>>(_ name: Name) -> Bool {
        guard !named.isEmpty else { return false }
        return named.contains { HTTPSyntax.equalsIgnoringASCIICase(name, $0.utf8) }
    }
}
