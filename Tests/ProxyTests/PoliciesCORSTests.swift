import NIOHTTP1
import XCTest

@testable import Proxy

final class PoliciesCORSTests: XCTestCase {
    let exact = """
        type: cors
        allow_origins: [https://app.example.com, http://localhost:3000]
        allow_methods: [GET, POST, DELETE]
        allow_headers: [Authorization, Content-Type]
        expose_headers: [X-Request-Id]
        allow_credentials: true
        max_age: 10m
        """

    func preflight(origin: String, method: String, headers: String? = nil) -> RequestContext {
        var list = [("Origin", origin), ("Access-Control-Request-Method", method)]
        if let headers { list.append(("Access-Control-Request-Headers", headers)) }
        return makeRequest(.OPTIONS, "/orders", headers: list)
    }

    func testPreflightIsAnsweredAtTheGateway() throws {
        let policy = try makePolicy(exact)
        var context = preflight(origin: "https://app.example.com", method: "DELETE", headers: "authorization, content-type")
        let response = try XCTUnwrap(evaluate(policy, &context).response)
        XCTAssertEqual(response.status, .noContent)
        XCTAssertEqual(response.headers.first(name: "Access-Control-Allow-Origin"), "https://app.example.com")
        XCTAssertEqual(response.headers.first(name: "Access-Control-Allow-Methods"), "GET, POST, DELETE")
        XCTAssertEqual(response.headers.first(name: "Access-Control-Allow-Headers"), "Authorization, Content-Type")
        XCTAssertEqual(response.headers.first(name: "Access-Control-Allow-Credentials"), "true")
        XCTAssertEqual(response.headers.first(name: "Access-Control-Max-Age"), "600")
        XCTAssertTrue(response.headers[canonicalForm: "Vary"].contains("Origin"))
    }

    func testPreflightFromAnUnknownOriginOrForAnotherMethodIsRefused() throws {
        let policy = try makePolicy(exact)
        for context in [
            preflight(origin: "https://evil.example.com", method: "GET"),
            preflight(origin: "https://app.example.com", method: "PUT"),
            preflight(origin: "https://app.example.com", method: "GET", headers: "X-Secret"),
        ] {
            var context = context
            let response = try XCTUnwrap(evaluate(policy, &context).response)
            XCTAssertEqual(response.status, .forbidden)
            XCTAssertNil(response.headers.first(name: "Access-Control-Allow-Origin"))
        }
    }

    func testActualRequestFromAnAllowedOriginGetsCORSHeaders() throws {
        let policy = try makePolicy(exact)
        var context = makeRequest(.POST, "/orders", headers: [("Origin", "http://localhost:3000")])
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        let headers = responseHeaders(policy, context, upstream: [("Vary", "Accept-Encoding")])
        XCTAssertEqual(headers.first(name: "Access-Control-Allow-Origin"), "http://localhost:3000")
        XCTAssertEqual(headers.first(name: "Access-Control-Allow-Credentials"), "true")
        XCTAssertEqual(headers.first(name: "Access-Control-Expose-Headers"), "X-Request-Id")
        XCTAssertEqual(Set(headers[canonicalForm: "Vary"]), ["Accept-Encoding", "Origin"])
    }

    func testActualRequestFromAnotherOriginGetsNoAllowOrigin() throws {
        let policy = try makePolicy(exact)
        var context = makeRequest(headers: [("Origin", "https://evil.example.com")])
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        let headers = responseHeaders(policy, context)
        XCTAssertNil(headers.first(name: "Access-Control-Allow-Origin"))
        XCTAssertEqual(headers.first(name: "Vary"), "Origin")
    }

    func testWildcardOrigin() throws {
        let policy = try makePolicy("type: cors\nallow_origins: '*'\nallow_headers: '*'")
        var context = makeRequest(headers: [("Origin", "https://anyone.example")])
        XCTAssertTrue(evaluate(policy, &context).isProceed)
        XCTAssertEqual(responseHeaders(policy, context).first(name: "Access-Control-Allow-Origin"), "*")

        var pre = preflight(origin: "https://anyone.example", method: "POST", headers: "X-Custom")
        let response = try XCTUnwrap(evaluate(policy, &pre).response)
        XCTAssertEqual(response.status, .noContent)
        XCTAssertEqual(response.headers.first(name: "Access-Control-Allow-Origin"), "*")
        XCTAssertEqual(response.headers.first(name: "Access-Control-Allow-Headers"), "X-Custom")
    }

    func testPlainOptionsIsForwarded() throws {
        var context = makeRequest(.OPTIONS, "/", headers: [("Origin", "https://app.example.com")])
        XCTAssertTrue(evaluate(try makePolicy(exact), &context).isProceed)
    }
}
