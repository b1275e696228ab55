import NIOHTTP1

/// What the access log says about one answered request.
struct AccessLogEntry {
    /// nil, with `uri`, for a request refused before its request line was read.
    var method: HTTPMethod?
    var uri: String?
    var version: HTTPVersion
    var status: Int
    /// nil for a request no route matched.
    var route: String?
    var upstream: String?
    var target: String?
    var requestID: String
    var client: String?
    /// The consumer a policy authenticated (combined: `$remote_user`).
    var consumer: String?
    var durationNanos: Int64
    var attempts: Int
    /// Body bytes of the response sent to the client.
    var bodyBytesSent: Int
    /// The client's fields, for `Referer` and `User-Agent`.
    var fields: FieldBlock
}

extension AccessLogEntry {
    /// A request answered before any route took it: none matched it, or it was refused
    /// (malformed, too large, too slow) with `head` nil when not even its request line was read.
    static func unrouted(
        _ head: RequestHead?, status: Int, requestID: String, client: String?, durationNanos: Int64, bodyBytesSent: Int
    ) -> AccessLogEntry {
        AccessLogEntry(
            method: head?.method, uri: head?.target, version: head?.version ?? .http1_1, status: status, route: nil,
            upstream: nil, target: nil, requestID: requestID, client: client, consumer: nil,
            durationNanos: durationNanos, attempts: 0, bodyBytesSent: bodyBytesSent,
            fields: head?.fields ?? .empty)
    }
}

/// One access log line in each format, written in one pass (``LineWriter``).
enum AccessLogLine {
    /// `{"time":…,"method":…,"uri":…,"status":…,"route":…,"upstream":…,"target":…,
    /// "request_id":…,"client":…,"duration_ms":…,"attempts":…}`; an absent method, uri, route,
    /// upstream, target or client is `null`.
    static func json(_ e: AccessLogEntry, time: LogTimestamp, into w: inout LineWriter) {
        w.raw("{\"time\":\"")
        time.writeISO(&w)
        w.raw("\",\"method\":")
        string(e.method?.rawValue, &w)
        w.raw(",\"uri\":")
        string(e.uri, &w)
        w.raw(",\"status\":")
        w.decimal(e.status)
        w.raw(",\"route\":")
        string(e.route, &w)
        w.raw(",\"upstream\":")
        string(e.upstream, &w)
        w.raw(",\"target\":")
        string(e.target, &w)
        w.raw(",\"request_id\":")
        string(e.requestID, &w)
        w.raw(",\"client\":")
        string(e.client, &w)
        w.raw(",\"duration_ms\":")
        w.milliseconds(e.durationNanos)
        w.raw(",\"attempts\":")
        w.decimal(e.attempts)
        w.raw("}\n")
    }

    /// nginx's `combined`: `$remote_addr - $remote_user [$time_local] "$request" $status
    /// $body_bytes_sent "$http_referer" "$http_user_agent"`, escaped as nginx does; `"-"` for
    /// the request of a head refused before its request line was read.
    static func combined(_ e: AccessLogEntry, time: LogTimestamp, into w: inout LineWriter) {
        field(e.client, &w)
        w.raw(" - ")
        field(e.consumer, &w)
        w.raw(" [")
        time.writeLocal(&w)
        w.raw("] \"")
        if let method = e.method, let uri = e.uri {
            method.rawValue.withBytes { w.escaped($0, .combined) }
            w.byte(UInt8(ascii: " "))
            uri.withBytes { w.escaped($0, .combined) }
            w.raw(e.version.minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ")
        } else {
            w.raw("-\" ")
        }
        w.decimal(e.status)
        w.byte(UInt8(ascii: " "))
        w.decimal(e.bodyBytesSent)
        w.raw(" \"")
        e.fields.withFirstValue(of: "referer") { value($0, &w) }
        w.raw("\" \"")
        e.fields.withFirstValue(of: "user-agent") { value($0, &w) }
        w.raw("\"\n")
    }

    private static func string(_ text: String?, _ w: inout LineWriter) {
        guard let text else {
            w.raw("null")
            return
        }
        w.byte(UInt8(ascii: "\""))
        text.withBytes { w.escaped($0, .json) }
        w.byte(UInt8(ascii: "\""))
    }

    /// A combined-format field that may be absent: `-`.
    private static func field(_ text: String?, _ w: inout LineWriter) {
        guard let text, !text.isEmpty else {
            w.byte(UInt8(ascii: "-"))
            return
        }
        text.withBytes { w.escaped($0, .combined) }
    }

    private static func value(_ bytes: UnsafeRawBufferPointer?, _ w: inout LineWriter) {
        guard let bytes, bytes.count > 0 else {
            w.byte(UInt8(ascii: "-"))
            return
        }
        w.escaped(bytes, .combined)
    }
}
