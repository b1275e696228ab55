import NIOCore
import NIOHTTP1
import XCTest

@testable import Proxy

/// The client side's reader on its own: the same requests however the bytes are split,
/// and refusals with the status the gateway answers.
final class RequestReaderTests: XCTestCase {
    /// What a reader made of a stream, as text: one line per head (its fields as a route that
    /// keeps underscored ones takes them), body and end.
    private func read(_ chunks: [[UInt8]], limit: Int = 4096, fieldLimit: Int = 100) -> [String] {
        var reader = RequestReader(headLimit: limit, fieldLimit: fieldLimit)
        var events: [String] = []
        var body: [UInt8] = []
        for chunk in chunks {
            reader.append(ByteBuffer(bytes: chunk))
            while let event = reader.next() {
                switch event {
                case .head(let head, let framing, let options):
                    let fields = head.keepingUnderscoredFields().http.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                    let connection = (options.persists(head.version) ? "persists" : "closes") + options.named.map { " " + $0 }.joined()
                    let dropped = (head.droppedFields > 0 ? " dropped \(head.droppedFields)" : "")
                        + (head.underscored.isEmpty ? "" : " aside \(head.underscored.count)")
                    events.append("head \(head.method.rawValue) \(head.target) 1.\(head.version.minor) [\(fields)] \(framing) \(connection)\(dropped)")
                case .body(let bytes):
                    body += Array(bytes.readableBytesView)
                case .end:
                    if !body.isEmpty { events.append("body \(String(decoding: body, as: UTF8.self))") }
                    body = []
                    events.append("end")
                case .refused(let rejection):
                    events.append("refused \(rejection.status.code)")
                }
            }
        }
        return events
    }

    /// Methods matched on their bytes read as `HTTPMethod(rawValue:)` reads them; any letter
    /// case other than the method's own is another method.
    func testMethodsReadAsTheirNamesSay() {
        for name in ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "get", "Head", "GETS", "PUTT", "FOOBAR"] {
            var reader = RequestReader(headLimit: 4096, fieldLimit: 100)
            reader.append(ByteBuffer(string: "\(name) / HTTP/1.1\r\nHost: a\r\n\r\n"))
            guard case .head(let head, _, _) = reader.next() else { return XCTFail(name) }
            XCTAssertEqual(head.method, HTTPMethod(rawValue: name), name)
            XCTAssertEqual(head.isHEAD, name == "HEAD", name)
        }
    }

    private let pipelined = Array((
        "\r\nGET /a?x=1 HTTP/1.1\r\nHost: a.test\r\nX-Tab:\tv \r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello"
            + "PUT /c HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=1;q=\"a b\"\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "BREW /d HTTP/1.0\r\n\r\n"
            + "GET /e HTTP/1.0\r\nConnection: Keep-Alive, X-Secret\r\n\r\n"
            + "GET /f HTTP/1.1\r\nHost: a.test\r\nConnection: x-a,\tclose \r\n\r\n"
    ).utf8)

    private let expected = [
        "head GET /a?x=1 1.1 [Host=a.test,X-Tab=v] none persists", "end",
        "head POST /b 1.1 [Host=a.test,Content-Length=5] contentLength(5) persists", "body hello", "end",
        "head PUT /c 1.1 [Host=a.test,Transfer-Encoding=chunked] chunked persists", "body abc0123456789", "end",
        "head BREW /d 1.0 [] none closes", "end",
        "head GET /e 1.0 [Connection=Keep-Alive, X-Secret] none persists x-secret", "end",
        "head GET /f 1.1 [Host=a.test,Connection=x-a,\tclose] none closes x-a", "end",
    ]

    func testEverySplitOfAPipelinedStreamGivesTheSameRequests() {
        XCTAssertEqual(read([pipelined]), expected)
        XCTAssertEqual(read(pipelined.map { [$0] }), expected, "a byte at a time")
        for split in 1..<pipelined.count {
            XCTAssertEqual(read([Array(pipelined[..<split]), Array(pipelined[split...])]), expected, "split at \(split)")
        }
    }

    func testMalformedRequestLinesAreRefusedAfterTheRequestsBeforeThem() {
        let good = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        for bad in ["GET  /x HTTP/1.1", "GET /x  HTTP/1.1", "GET\t/x HTTP/1.1", "GET /x HTTP/1.2", "GET /x http/1.1",
                    "GET /x HTTP/2.0", "G(T /x HTTP/1.1", "GET /a\u{1}b HTTP/1.1", "GET /x", " GET /x HTTP/1.1"] {
            let events = read([Array((good + bad + "\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n").utf8)])
            XCTAssertEqual(events, ["head GET /1 1.1 [Host=a] none persists", "end", "refused 400"], bad.debugDescription)
        }
    }

    func testHeadsThatBreakTheGrammarAreRefused() {
        let cases: [(String, UInt)] = [
            ("GET / HTTP/1.1\nHost: a\n\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX-Fold: a\r\n b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX-Sp : a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX-CR: a\rb\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX-NUL: a\u{0}b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX-DEL: a\u{7F}b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 405),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ]
        for (request, status) in cases {
            XCTAssertEqual(read([Array(request.utf8)]), ["refused \(status)"], request.debugDescription)
        }
    }

    func testMalformedChunkedBodiesAreRefusedAfterTheHead() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        for body in ["zz\r\nab\r\n0\r\n\r\n", "0x2\r\nab\r\n0\r\n\r\n", " 2\r\nab\r\n0\r\n\r\n", "2\r\nabX0\r\n\r\n",
                     "2;a\u{1}b\r\nab\r\n0\r\n\r\n", "2;\r\nab\r\n0\r\n\r\n", "2;a=\"b\r\nab\r\n0\r\n\r\n",
                     "1000000000000000\r\nab\r\n", "2\nab\r\n0\r\n\r\n", "0\r\nbad trailer\r\n\r\n"] {
            let events = read([Array((head + body).utf8)])
            XCTAssertEqual(events.first, "head POST / 1.1 [Host=a,Transfer-Encoding=chunked] chunked persists", body.debugDescription)
            XCTAssertEqual(events.last, "refused 400", body.debugDescription)
            XCTAssertFalse(events.contains("end"), body.debugDescription)
        }
    }

    func testLimitsGive414And431WhetherOrNotTheLineIsComplete() {
        let long = String(repeating: "a", count: 200)
        XCTAssertEqual(read([Array("GET /\(long) HTTP/1.1\r\n".utf8)], limit: 100), ["refused 414"])
        XCTAssertEqual(read([Array("GET /\(long)".utf8)], limit: 100), ["refused 414"])
        XCTAssertEqual(read([Array("GET / HTTP/1.1\r\nX: \(long)\r\n\r\n".utf8)], limit: 100), ["refused 431"])
        XCTAssertEqual(read([Array("GET / HTTP/1.1\r\nX: \(long)".utf8)], limit: 100), ["refused 431"])
        let many = (0..<20).map { "X-\($0): v\r\n" }.joined()
        XCTAssertEqual(read([Array("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n".utf8)], limit: 100), ["refused 431"])
    }

    func testFieldCountLimit() {
        func request(fields: Int) -> [UInt8] {
            Array(("GET / HTTP/1.1\r\nHost: a\r\n" + (1..<fields).map { "X-\($0): v\r\n" }.joined() + "\r\n").utf8)
        }
        XCTAssertEqual(read([request(fields: 10)], fieldLimit: 10).first?.hasPrefix("head GET / 1.1"), true)
        XCTAssertEqual(read([request(fields: 11)], fieldLimit: 10), ["refused 431"])
        // Counted as they arrive: the head is refused before its end.
        XCTAssertEqual(read([Array(request(fields: 12).dropLast(2))], fieldLimit: 10), ["refused 431"])
        // Dropped fields count too.
        let underscored = "GET / HTTP/1.1\r\nHost: a\r\n" + (1..<11).map { "X_\($0): v\r\n" }.joined() + "\r\n"
        XCTAssertEqual(read([Array(underscored.utf8)], fieldLimit: 10), ["refused 431"])
    }

    func testUnderscoredNamesAreSetAsideInOrderAndFramingLookalikesDropped() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nX_User: bob\r\nContent-Length: 2\r\nA_B: c\r\n\r\nok"
        XCTAssertEqual(read([Array(head.utf8)]), [
            "head POST / 1.1 [Host=a,X_User=bob,Content-Length=2,A_B=c] contentLength(2) persists dropped 1 aside 2",
            "body ok", "end",
        ])
        var reader = RequestReader(headLimit: 4096, fieldLimit: 100)
        reader.append(ByteBuffer(string: head))
        guard case .head(let read, _, _)? = reader.next() else { return XCTFail("no head") }
        XCTAssertEqual(read.http.headers.map(\.name), ["Host", "Content-Length"], "set aside fields are not among the head's")
    }

    func testUnderscoredNamesNeverReadAsFramingOrHopByHopFields() {
        let names = ["Transfer_Encoding", "content_length", "HOST_", "_host", "Connection_", "keep_alive", "Proxy_Connection",
                     "X_Forwarded_For", "Te_", "x_request_id"]
        for name in names {
            let head = "GET / HTTP/1.1\r\nHost: a\r\n\(name): v\r\nX_User: bob\r\n\r\n"
            let kept = read([Array(head.utf8)])
            // "HOST_" and "_host" read as other names: only exact lookalikes go.
            if name == "HOST_" || name == "_host" || name == "Connection_" || name == "Te_" {
                XCTAssertEqual(kept.first, "head GET / 1.1 [Host=a,\(name)=v,X_User=bob] none persists aside 2", name)
            } else {
                XCTAssertEqual(kept.first, "head GET / 1.1 [Host=a,X_User=bob] none persists dropped 1 aside 1", name)
            }
        }
        let named = "GET / HTTP/1.1\r\nHost: a\r\nX_Secret: s\r\nConnection: x-secret\r\n\r\n"
        XCTAssertEqual(read([Array(named.utf8)]).first,
                       "head GET / 1.1 [Host=a,Connection=x-secret] none persists x-secret dropped 1")
    }

    func testNothingIsReadAfterARefusal() {
        var reader = RequestReader(headLimit: 4096, fieldLimit: 100)
        reader.append(ByteBuffer(string: "GET  / HTTP/1.1\r\n\r\n"))
        guard case .refused? = reader.next() else { return XCTFail("not refused") }
        reader.append(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        XCTAssertNil(reader.next())
        XCTAssertEqual(reader.bufferedBytes, 0)
    }

    func testTheRequestLineOfAnUnfinishedOrRefusedHeadIsKnown() {
        var reader = RequestReader(headLimit: 4096, fieldLimit: 1)
        reader.append(ByteBuffer(string: "GET /x HTTP/1.0\r\nHost: a\r\n"))
        XCTAssertNil(reader.next())
        XCTAssertEqual(reader.pendingRequestLine?.target, "/x", "a head still coming")
        reader.append(ByteBuffer(string: "X-Two: b\r\n\r\n"))
        guard case .refused(let rejection)? = reader.next() else { return XCTFail("not refused") }
        XCTAssertEqual(rejection.status, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(reader.pendingRequestLine?.method, .GET)
        XCTAssertEqual(reader.pendingRequestLine?.target, "/x")
        XCTAssertEqual(reader.pendingRequestLine?.version, .http1_0)

        var complete = RequestReader(headLimit: 4096, fieldLimit: 100)
        complete.append(ByteBuffer(string: "GET /y HTTP/1.1\r\nHost: a\r\n\r\n"))
        guard case .head? = complete.next() else { return XCTFail("no head") }
        XCTAssertNil(complete.pendingRequestLine, "a head read whole is no longer pending")

        var garbled = RequestReader(headLimit: 4096, fieldLimit: 100)
        garbled.append(ByteBuffer(string: "GET  / HTTP/1.1\r\n\r\n"))
        guard case .refused? = garbled.next() else { return XCTFail("not refused") }
        XCTAssertNil(garbled.pendingRequestLine)
    }
}
