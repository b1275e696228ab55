import Gossip

/// What one node asks another about the keys the other owns, and the answers: the cache's
/// messages between peers (carried on the gossip port's peer sessions, sealed there).
///
/// A node that does not own a key asks its owner (`lookup`). The owner answers with the stored
/// entry, or makes the asker the fill's leader, or holds the answer until the fill in flight
/// ends. A leader reports what the origin gave (`fill`), which the owner stores unless a bust
/// selected it meanwhile; the owner copies what it stores to the key's backup (`replicate`).
public enum CachePeerRequest: Sendable {
    case lookup(key: CacheKey, request: FieldList)
    /// The end of a fill the asker led: the entry, or nil when the origin's answer was not
    /// storable. `epoch` is the owner's bust epoch when the fill began.
    case fill(key: CacheKey, epoch: UInt64, entry: StoredEntry?)
    case replicate(StoredEntry)

    enum Kind: UInt8 { case lookup = 1, fill = 2, replicate = 3 }
}

public enum CachePeerReply: Sendable {
    case hit(StoredEntry)
    /// Nothing stored: the asker leads the fill; `epoch` goes back with its `fill`.
    case lead(epoch: UInt64)
    /// The fill the asker waited for stored nothing it can use, or the owner will not take a
    /// fill now: the asker goes to the origin on its own.
    case miss
    /// A `fill` or `replicate` was taken (stored or refused, the sender need not care).
    case done

    enum Kind: UInt8 { case hit = 1, lead = 2, miss = 3, done = 4 }
}

/// The bounds a decoder holds peer messages to.
public enum CachePeerLimits {
    public static let maxFields = 256
    public static let maxFieldBytes = 64 << 10
    public static let maxKeyBytes = 64 << 10
    public static let maxTags = 1024
    /// A body as large as the stream frame allows.
    public static let maxBodyBytes = 64 << 20
}

extension CachePeerRequest {
    public var bytes: [UInt8] {
        var out = ByteWriter(capacity: 512)
        switch self {
        case .lookup(let key, let request):
            out.u8(Kind.lookup.rawValue)
            out.key(key)
            out.fields(request)
        case .fill(let key, let epoch, let entry):
            out.u8(Kind.fill.rawValue)
            out.key(key)
            out.varint(epoch)
            if let entry {
                out.u8(1)
                out.entry(entry)
            } else {
                out.u8(0)
            }
        case .replicate(let entry):
            out.u8(Kind.replicate.rawValue)
            out.entry(entry)
        }
        return out.bytes
    }

    /// Decodes a request; throws on anything but a whole message in the encoder's form.
    public init(_ bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.u8()) else { throw .invalidValue("peer request kind") }
        switch kind {
        case .lookup:
            self = .lookup(key: try reader.key(), request: try reader.fields())
        case .fill:
            let key = try reader.key()
            let epoch = try reader.varint()
            self = .fill(key: key, epoch: epoch, entry: try reader.flag("entry") ? try reader.entry() : nil)
        case .replicate:
            self = .replicate(try reader.entry())
        }
        guard reader.isAtEnd else { throw .invalidValue("bytes after a peer request") }
    }
}

extension CachePeerReply {
    public var bytes: [UInt8] {
        var out = ByteWriter(capacity: 256)
        switch self {
        case .hit(let entry):
            out.u8(Kind.hit.rawValue)
            out.entry(entry)
        case .lead(let epoch):
            out.u8(Kind.lead.rawValue)
            out.varint(epoch)
        case .miss:
            out.u8(Kind.miss.rawValue)
        case .done:
            out.u8(Kind.done.rawValue)
        }
        return out.bytes
    }

    public init(_ bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.u8()) else { throw .invalidValue("peer reply kind") }
        switch kind {
        case .hit: self = .hit(try reader.entry())
        case .lead: self = .lead(epoch: try reader.varint())
        case .miss: self = .miss
        case .done: self = .done
        }
        guard reader.isAtEnd else { throw .invalidValue("bytes after a peer reply") }
    }
}

extension ByteWriter {
    mutating func key(_ key: CacheKey) {
        string(key.text)
        string(key.host)
        string(key.path)
    }

    mutating func fields(_ list: FieldList) {
        varint(list.fields.count)
        for field in list.fields {
            string(field.name)
            string(field.value)
        }
    }

    mutating func strings(_ list: [String]) {
        varint(list.count)
        for item in list { string(item) }
    }

    mutating func signed(_ value: Int) {
        // Zig-zag, so small negative values stay small.
        varint(UInt64(bitPattern: Int64((value << 1) ^ (value >> 63))))
    }

    mutating func entry(_ entry: StoredEntry) {
        key(entry.key)
        strings(entry.varyNames)
        string(entry.variant)
        string(entry.route)
        strings(entry.tags)
        varint(entry.response.status)
        fields(entry.response.headers)
        byteString(entry.body)
        let f = entry.freshness
        signed(f.lifetime)
        signed(f.initialAge)
        signed(Int(f.responseTime.seconds))
        u8(f.revalidatesAlways ? 1 : 0)
        u8(f.forbidsStale ? 1 : 0)
        signed(f.staleWhileRevalidate)
        signed(f.staleIfError)
    }
}

extension ByteReader {
    mutating func key() throws(WireError) -> CacheKey {
        let text = try string(limit: CachePeerLimits.maxKeyBytes, "key")
        let host = try string(limit: CachePeerLimits.maxKeyBytes, "key host")
        let path = try string(limit: CachePeerLimits.maxKeyBytes, "key path")
        return CacheKey(text: text, host: host, path: path)
    }

    mutating func fields() throws(WireError) -> FieldList {
        let count = try count(limit: CachePeerLimits.maxFields, "fields")
        guard count * 2 <= remaining else { throw .truncated }
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(count)
        for _ in 0..<count {
            let name = try string(limit: CachePeerLimits.maxFieldBytes, "field name")
            fields.append((name, try string(limit: CachePeerLimits.maxFieldBytes, "field value")))
        }
        return FieldList(fields)
    }

    mutating func strings(limit: Int, _ what: String) throws(WireError) -> [String] {
        let count = try count(limit: limit, what)
        guard count <= remaining else { throw .truncated }
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try string(limit: CachePeerLimits.maxFieldBytes, what)) }
        return out
    }

    mutating func signed() throws(WireError) -> Int {
        let raw = try varint()
        let value = Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        return Int(value)
    }

    mutating func entry() throws(WireError) -> StoredEntry {
        let key = try key()
        let varyNames = try strings(limit: CachePeerLimits.maxFields, "vary names")
        let variant = try string(limit: CachePeerLimits.maxKeyBytes + CachePeerLimits.maxFieldBytes, "variant")
        let route = try string("route")
        let tags = try strings(limit: CachePeerLimits.maxTags, "tags")
        let status = try count(limit: 999, "status")
        guard status >= 100 else { throw .invalidValue("status") }
        let headers = try fields()
        let body = try byteString(limit: CachePeerLimits.maxBodyBytes, "body")
        let freshness = Freshness(
            lifetime: try signed(), initialAge: try signed(), responseTime: WallTime(seconds: Int64(try signed())),
            revalidatesAlways: try flag("no-cache"), forbidsStale: try flag("must-revalidate"),
            staleWhileRevalidate: try signed(), staleIfError: try signed())
        return StoredEntry(key: key, varyNames: varyNames, variant: variant, route: route, tags: tags,
                           response: CacheResponse(status: status, headers: headers), body: body, freshness: freshness)
    }
}
