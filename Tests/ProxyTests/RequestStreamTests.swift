import NIOCore
import XCTest
@testable import Proxy

/// The stream follower ahead of the HTTP decoder: the same requests however the bytes are split.
final class RequestStreamTests: XCTestCase {
    private let requests = [
        "\r\nPOST /a HTTP/1.1\r\nHost: a\r\ncontent-LENGTH: 5\r\n\r\nhello",
        "PURGE /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
        "GET /c HTTP/1.1\r\nHost: a\r\nX-Long: \(String(repeating: "v", count: 300))\r\n\r\n",
        "M-SEARCH * HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    ]
    /// What the decoder must see: known methods as sent, the others with the stand-in.
    private var decoderSees: String {
        requests.joined().replacingOccurrences(of: "PURGE /b", with: "GET /b").replacingOccurrences(of: "M-SEARCH *", with: "GET *")
    }

    private func run(_ pieces: [[UInt8]]) -> (forwarded: String, methods: [String?], refusal: RequestStream.Refusal?) {
        var stream = RequestStream(lineLimit: 1024)
        var forwarded: [UInt8] = []
        for piece in pieces {
            let (bytes, refusal) = stream.feed(ByteBuffer(bytes: piece))
            if let bytes { forwarded += Array(bytes.readableBytesView) }
            if let refusal { return (String(decoding: forwarded, as: UTF8.self), [], refusal) }
        }
        let methods = (0..<stream.requestLines).map { _ in stream.takeMethod() }
        return (String(decoding: forwarded, as: UTF8.self), methods, nil)
    }

    func testEverySplitOfTheStreamForwardsTheSameBytesAndMethods() {
        let bytes = Array(requests.joined().utf8)
        let expected = (decoderSees, [nil, "PURGE", nil, "M-SEARCH"] as [String?])
        for cut in 0...bytes.count {
            let result = run([Array(bytes[..<cut]), Array(bytes[cut...])])
            XCTAssertEqual(result.forwarded, expected.0, "split at \(cut)")
            XCTAssertEqual(result.methods, expected.1, "split at \(cut)")
        }
        let oneByOne = run(bytes.map { [$0] })
        XCTAssertEqual(oneByOne.forwarded, expected.0)
        XCTAssertEqual(oneByOne.methods, expected.1)
    }

    func testAMalformedLaterRequestLineStopsTheStreamAfterTheRequestsBeforeIt() {
        let good = "GET /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        let result = run([Array((good + "GET  /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\n\r\n").utf8)])
        XCTAssertEqual(result.refusal, .malformedRequestLine)
        XCTAssertEqual(result.forwarded, good)
    }

    func testARequestLineOverTheLimitIsRefused() {
        let result = run([Array("GET /\(String(repeating: "a", count: 600))".utf8), Array(String(repeating: "b", count: 600).utf8)])
        XCTAssertEqual(result.refusal, .requestLineTooLong)
        XCTAssertEqual(result.forwarded, "")
    }

    func testAmbiguousFramingIsLeftToTheDecoderAndPassedThroughUnchanged() {
        let tail = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcdFOO  / HTTP/1.1\r\n\r\n"
        let result = run([Array(tail.utf8)])
        XCTAssertNil(result.refusal)
        XCTAssertEqual(result.forwarded, tail)
    }
}
