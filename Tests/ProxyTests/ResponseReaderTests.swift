import NIOCore
import NIOHTTP1
import XCTest

@testable import Proxy

/// The upstream side's reader on its own: framing by request method, status, length,
/// chunks or the end of the connection; ambiguity and bad bytes are errors.
final class ResponseReaderTests: XCTestCase {
    /// Responses read for requests of `methods`, in order, as text; "error" where reading failed.
    private func read(_ chunks: [[UInt8]], methods: [HTTPMethod] = [.GET], fieldLimit: Int = 100) -> [String] {
        var reader = ResponseReader(headLimit: 4096, fieldLimit: fieldLimit)
        var methods = methods[...]
        reader.expectResponse(toHEAD: methods.popFirst() == .HEAD)
        var events: [String] = []
        var body: [UInt8] = []
        do {
            for chunk in chunks {
                reader.append(ByteBuffer(bytes: chunk))
                while let event = try reader.next() {
                    switch event {
                    case .interim(let head, _):
                        let fields = head.http.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                        events.append("interim \(head.status.code) [\(fields)]")
                    case .head(let head, let framing, let options):
                        let keep = options.persists(head.version) ? "" : " closes"
                        let fields = head.http.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                        events.append("head \(head.status.code) [\(fields)] \(framing)\(keep)")
                    case .body(let bytes):
                        body += Array(bytes.readableBytesView)
                    case .end:
                        if !body.isEmpty { events.append("body \(String(decoding: body, as: UTF8.self))") }
                        body = []
                        events.append("end")
                        if let method = methods.popFirst() { reader.expectResponse(toHEAD: method == .HEAD) }
                    }
                }
            }
        } catch {
            events.append("error")
        }
        if !body.isEmpty { events.append("body so far \(String(decoding: body, as: UTF8.self))") }
        return events
    }

    func testEverySplitGivesTheSameResponses() {
        let stream = Array((
            "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  1 \r\n\r\nhello"
                + "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n1\r\nc\r\n0\r\nT: 1\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
                + "HTTP/1.1 204\r\nConnection: close\r\n\r\n"
        ).utf8)
        let methods: [HTTPMethod] = [.GET, .HEAD, .POST, .GET, .DELETE]
        let expected = [
            "interim 100 []", "interim 103 [Link=</a.css>; rel=preload]",
            "head 200 [Content-Length=5,X-A=1] length(5)", "body hello", "end",
            "head 200 [Content-Length=7] length(0)", "end",
            "head 201 [Transfer-Encoding=chunked] chunked", "body abc", "end",
            "head 304 [Content-Length=9] length(0)", "end",
            "head 204 [Connection=close] length(0) closes", "end",
        ]
        XCTAssertEqual(read([stream], methods: methods), expected)
        XCTAssertEqual(read(stream.map { [$0] }, methods: methods), expected, "a byte at a time")
        for split in 1..<stream.count {
            XCTAssertEqual(read([Array(stream[..<split]), Array(stream[split...])], methods: methods), expected, "split at \(split)")
        }
    }

    func testABodyWithoutLengthRunsUntilTheConnectionCloses() {
        XCTAssertEqual(read([Array("HTTP/1.0 200 OK\r\n\r\nsome".utf8), Array(" more".utf8)]),
                       ["head 200 [] untilClose closes", "body so far some more"])
        XCTAssertEqual(read([Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz".utf8)]),
                       ["head 200 [Transfer-Encoding=gzip] untilClose", "body so far zz"])
    }

    func testAmbiguousOrMalformedResponsesAreErrors() {
        for response in [
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab",
            "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\u{1}b\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "ICY 200 OK\r\n\r\n",
        ] {
            XCTAssertEqual(read([Array(response.utf8)]).last, "error", response.debugDescription)
        }
    }

    func testEqualRepeatedLengthsAreOneLength() {
        XCTAssertEqual(read([Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok".utf8)]),
                       ["head 200 [Content-Length=2,Content-Length=2] length(2)", "body ok", "end"])
    }

    func testFieldCountLimit() {
        func response(fields: Int) -> [UInt8] {
            Array(("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + (1..<fields).map { "X-\($0): v\r\n" }.joined() + "\r\n").utf8)
        }
        XCTAssertEqual(read([response(fields: 10)], fieldLimit: 10).last, "end")
        XCTAssertEqual(read([response(fields: 11)], fieldLimit: 10), ["error"])
    }

    func testUnderscoredNamesOfResponsesAreKept() {
        XCTAssertEqual(read([Array("HTTP/1.1 200 OK\r\nX_Trace: 1\r\nContent-Length: 0\r\n\r\n".utf8)]).first,
                       "head 200 [X_Trace=1,Content-Length=0] length(0)")
    }

    func testBytesWithNoRequestWaitingAreNoticed() {
        var reader = ResponseReader(headLimit: 4096, fieldLimit: 100)
        reader.append(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n"))
        XCTAssertTrue(reader.hasUnsolicitedBytes)
    }
}
