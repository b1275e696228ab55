import CacheRing
import NIOCore
import NIOHTTP1

/// The head of a response served from the cache, written straight into the client's buffer:
/// the stored fields (hop-by-hop ones were never stored), the current `Age`, the cache's
/// `X-Cache` and `Cache-Status`, the gateway's `Via` and request id, the body's length and the
/// connection's own field. A 304 carries only the stored fields RFC 9110 §15.4.5 names.
/// ``ProxyHandler/serveStored`` builds `HTTPHeaders` instead when policies edit response fields.
struct StoredResponseHead {
    var version: HTTPVersion
    var status: HTTPResponseStatus
    var age: Int
    var cacheStatus: CacheStatus
    var via: String
    var requestID: String
    /// Nil for a response without a body (304, 204).
    var contentLength: Int?
    var connection: StaticString?

    func write(_ stored: FieldList, notModified: Bool, into buffer: inout ByteBuffer) {
        buffer.writeString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeString("\r\n")
        for field in stored.fields where Self.servedAsStored(field.name, notModified: notModified) {
            buffer.writeString(field.name)
            buffer.writeString(": ")
            buffer.writeString(field.value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("age: \(age)\r\nx-cache: \(cacheStatus.xCache)\r\ncache-status: \(cacheStatus.fieldValue)\r\n")
        buffer.writeString("via: \(via)\r\nx-request-id: \(requestID)\r\n")
        if let contentLength { buffer.writeString("content-length: \(contentLength)\r\n") }
        if let connection {
            buffer.writeString("connection: ")
            buffer.writeStaticString(connection)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\n")
    }

    /// Fields the gateway writes itself are not copied from the stored head.
    static func servedAsStored(_ name: String, notModified: Bool) -> Bool {
        if FieldList.isNamed(name, "content-length") || FieldList.isNamed(name, "x-request-id") || FieldList.isNamed(name, "age") {
            return false
        }
        return !notModified || ProxyHandler.notModifiedFields.contains(name.lowercased())
    }
}
