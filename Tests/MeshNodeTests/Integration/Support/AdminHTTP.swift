import Foundation

/// A blocking HTTP/1.1 client for a meshd admin API on loopback, bounded by a socket timeout.
struct AdminHTTP: Sendable {
    struct Response {
        let status: Int
        let body: [UInt8]
        /// The head's lines, lower case.
        var head: [String] = []

        var text: String { String(decoding: body, as: UTF8.self) }

        /// A field's value (lower case), by its lower-case name.
        func header(_ name: String) -> String? {
            head.dropFirst().first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }

        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw IntegrationError("expected a JSON object, got: \(text.prefix(200))")
            }
            return object
        }
    }

    let port: Int
    let token: String?
    var timeoutSeconds = 2.0

    func get(_ path: String) throws -> Response {
        try send("GET", path, body: nil)
    }

    func post(_ path: String, json: [String: Any] = [:]) throws -> Response {
        try send("POST", path, body: try JSONSerialization.data(withJSONObject: json))
    }

    /// GET a JSON endpoint that must answer 200.
    func object(_ path: String) throws -> [String: Any] {
        let response = try get(path)
        guard response.status == 200 else {
            throw IntegrationError("GET \(path) on port \(port) answered \(response.status): \(response.text.prefix(200))")
        }
        return try response.json()
    }

    func members() throws -> [AdminMember] {
        try AdminMember.list(try object("/v1/members"))
    }

    func send(_ method: String, _ path: String, body: Data?) throws -> Response {
        let socket = try LoopbackSocket.connect(port: port, timeoutSeconds: timeoutSeconds)
        defer { socket.close() }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        if body != nil { request += "Content-Type: application/json\r\n" }
        request += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
        try socket.write(Array(request.utf8) + Array(body ?? Data()))
        return try Self.readResponse(from: socket)
    }

    private static func readResponse(from socket: LoopbackSocket) throws -> Response {
        var buffer: [UInt8] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            let chunk = try socket.read()
            guard !chunk.isEmpty else { throw IntegrationError("connection closed before the response head") }
            buffer += chunk
            headerEnd = buffer.firstRange(of: separator)?.upperBound
        }
        let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self).lowercased()
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw IntegrationError("bad status line: \(lines[0])")
        }
        var body = Array(buffer[headerEnd!...])
        let header = { (name: String) in
            lines.first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
        if let length = header("content-length").flatMap(Int.init) {
            while body.count < length {
                let chunk = try socket.read()
                guard !chunk.isEmpty else { throw IntegrationError("connection closed inside the body") }
                body += chunk
            }
            return Response(status: status, body: Array(body.prefix(length)), head: lines)
        }
        if header("transfer-encoding")?.contains("chunked") == true {
            while !Self.chunkedBodyIsComplete(body) {
                let chunk = try socket.read()
                guard !chunk.isEmpty else { break }
                body += chunk
            }
            return Response(status: status, body: try Self.dechunk(body), head: lines)
        }
        while true {
            let chunk = try socket.read()
            if chunk.isEmpty { break }
            body += chunk
        }
        return Response(status: status, body: body, head: lines)
    }

    private static func chunkedBodyIsComplete(_ body: [UInt8]) -> Bool {
        (try? dechunk(body)) != nil
    }

    private static func dechunk(_ body: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [13, 10]
        while true {
            guard let lineEnd = body[index...].firstRange(of: crlf) else { throw IntegrationError("incomplete chunk") }
            let sizeText = String(decoding: body[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw IntegrationError("bad chunk size")
            }
            let start = lineEnd.upperBound
            if size == 0 { return output }
            guard body.count >= start + size + 2 else { throw IntegrationError("incomplete chunk") }
            output += body[start..<start + size]
            index = start + size + 2
        }
    }
}

/// A member as the admin API reports it.
struct AdminMember: Equatable {
    let name: String
    let address: String
    let state: String
    let incarnation: UInt64
    let role: String

    static func list(_ object: [String: Any]) throws -> [AdminMember] {
        guard let members = object["members"] as? [[String: Any]] else {
            throw IntegrationError("no members array in \(object)")
        }
        return try members.map { member in
            guard let name = member["name"] as? String, let state = member["state"] as? String else {
                throw IntegrationError("a member without name or state: \(member)")
            }
            return AdminMember(
                name: name,
                address: member["address"] as? String ?? "",
                state: state,
                incarnation: (member["incarnation"] as? NSNumber)?.uint64Value ?? 0,
                role: member["role"] as? String ?? ""
            )
        }
    }
}

struct IntegrationError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
