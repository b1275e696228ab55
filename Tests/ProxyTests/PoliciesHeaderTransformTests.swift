import NIOHTTP1
import XCTest

@testable import Proxy

final class PoliciesHeaderTransformTests: XCTestCase {
    let yaml = """
        type: headers
        request:
          add: { X-Gateway: meshgate }
          set: { X-Env: prod }
          remove: [X-Internal-Debug]
          rename: { X-Old-Token: X-Token }
        response:
          remove: [Server]
          set: { Cache-Control: no-store }
          rename: { X-Upstream-Time: X-Backend-Time }
          add: { X-Frame-Options: DENY }
        """

    func testRequestEdits() throws {
        let policy = try makePolicy(yaml)
        var context = makeRequest(headers: [
            ("X-Internal-Debug", "1"), ("X-Env", "dev"), ("X-Env", "test"), ("X-Old-Token", "t1"), ("X-Gateway", "edge"),
        ])
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        let headers = context.head.headers
        XCTAssertFalse(headers.contains(name: "X-Internal-Debug"))
        XCTAssertEqual(headers["X-Env"], ["prod"])
        XCTAssertEqual(headers["X-Token"], ["t1"])
        XCTAssertFalse(headers.contains(name: "X-Old-Token"))
        XCTAssertEqual(headers["X-Gateway"], ["edge", "meshgate"])
    }

    func testResponseEdits() throws {
        let policy = try makePolicy(yaml)
        var context = makeRequest()
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        let headers = responseHeaders(
            policy, context, upstream: [("Server", "nginx"), ("Cache-Control", "public"), ("X-Upstream-Time", "12ms")]
        )
        XCTAssertFalse(headers.contains(name: "Server"))
        XCTAssertEqual(headers["Cache-Control"], ["no-store"])
        XCTAssertEqual(headers["X-Backend-Time"], ["12ms"])
        XCTAssertEqual(headers["X-Frame-Options"], ["DENY"])
    }

    func testFramingAndHopByHopFieldsAreRefusedAtLoad() throws {
        for (direction, edit, name) in [("response", "remove", "Content-Length"), ("response", "set", "Transfer-Encoding"),
                                        ("request", "add", "Connection"), ("response", "rename", "Keep-Alive"),
                                        ("request", "set", "te"), ("response", "add", "Upgrade")] {
            let value = edit == "remove" ? "[\(name)]" : edit == "rename" ? "{ \(name): X-Other }" : "{ \(name): x }"
            XCTAssertThrowsError(try makePolicy("type: headers\n\(direction):\n  \(edit): \(value)"), name) { error in
                XCTAssertTrue("\(error)".contains("'\(name)' frames the message or the connection; the gateway sets it"), "\(error)")
            }
        }
        XCTAssertNoThrow(try makePolicy("type: headers\nresponse:\n  set: { Cache-Control: no-store }\nrequest:\n  set: { Host: a.test }"))
    }

    func testInvalidHeaderNameIsRefusedAtLoad() throws {
        XCTAssertThrowsError(try makePolicy("type: headers\nrequest:\n  add:\n    \"Bad Name\": x")) { error in
            XCTAssertEqual("\(error)", "gateway.yaml:4: headers.request.add: 'Bad Name' is not a valid header name")
        }
    }
}
