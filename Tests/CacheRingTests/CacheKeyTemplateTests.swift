import XCTest

@testable import CacheRing

final class CacheKeyTemplateTests: XCTestCase {
    private func key(_ target: String, method: String = "GET", host: String = "example.com",
                     headers: FieldList = [:], template: CacheKeyTemplate = .standard) -> CacheKey {
        template.key(for: CacheRequest(method: method, host: host, target: target, headers: headers))
    }

    func testTheStandardKeyIsMethodHostPathAndQuery() {
        let k = key("/items/7?b=2&a=1")
        XCTAssertEqual(k.text, "GET example.com/items/7?a=1&b=2")
        XCTAssertEqual(k.host, "example.com")
        XCTAssertEqual(k.path, "/items/7")
    }

    func testSpellingsOfTheSameRequestShareAKey() {
        let cases: [(String, String)] = [
            ("/a?x=1&y=2", "/a?y=2&x=1"),             // parameter order
            ("/a?x=2&x=1", "/a?x=1&x=2"),             // repeated names, by value
            ("/a?x=1&&y=2&", "/a?y=2&x=1"),           // empty pieces
            ("/a?flag", "/a?flag="),                  // a name without a value
            ("/a?", "/a"),                            // an empty query
            ("/%7euser/a%2fb", "/~user/a%2Fb"),       // unreserved decoded, hex upper-cased
            ("/a?q=%61%62", "/a?q=ab"),
        ]
        for (a, b) in cases {
            XCTAssertEqual(key(a), key(b), "\(a) and \(b)")
        }
        XCTAssertEqual(key("/a", host: "Example.COM."), key("/a"), "host case and a trailing dot")
        XCTAssertEqual(key("/a", method: "HEAD"), key("/a"), "HEAD is answered from GET")
    }

    func testDifferentResourcesHaveDifferentKeys() {
        let distinct = [key("/a"), key("/A"), key("/a/"), key("/a?x=1"), key("/a?x=2"), key("/a?x=1&x=1"),
                        key("/a", method: "POST"), key("/a", host: "other.example"), key("/a", host: "example.com:8080"),
                        key("/a%2Fb"), key("/a/b")]
        XCTAssertEqual(Set(distinct.map(\.text)).count, distinct.count, "\(distinct.map(\.text))")
    }

    func testTheTemplateLeavesOutWhatItIsToldTo() {
        let noMethodNoHost = CacheKeyTemplate(method: false, host: false)
        XCTAssertEqual(key("/a", method: "POST", host: "x", template: noMethodNoHost),
                       key("/a", host: "y", template: noMethodNoHost))
        XCTAssertEqual(key("/a?x=1", template: noMethodNoHost).text, "/a?x=1")
        XCTAssertEqual(key("/a?x=1", template: CacheKeyTemplate(query: .none)).text, "GET example.com/a")
    }

    func testQueryParametersChosenByNameOrByPrefix() {
        let only = CacheKeyTemplate(query: .only(["page", "sort"]))
        XCTAssertEqual(key("/l?sort=asc&utm_source=x&page=2&ref=y", template: only).text, "GET example.com/l?page=2&sort=asc")
        let except = CacheKeyTemplate(query: .except(["utm_*", "fbclid"]))
        XCTAssertEqual(key("/l?utm_source=x&page=2&utm_medium=y&fbclid=z&fbclid2=w", template: except).text,
                       "GET example.com/l?fbclid2=w&page=2")
        XCTAssertEqual(key("/l?utm_campaign=z", template: except), key("/l", template: except))
    }

    func testSelectedHeadersTellResponsesApart() {
        let template = CacheKeyTemplate(headers: ["Accept-Language", "x-tenant"])
        let english = key("/a", headers: ["accept-language": "en"], template: template)
        XCTAssertEqual(english.text, "GET example.com/a\naccept-language: en\nx-tenant")
        XCTAssertNotEqual(english, key("/a", headers: ["Accept-Language": "fr"], template: template))
        XCTAssertEqual(key("/a", headers: ["ACCEPT-LANGUAGE": "en", "X-Other": "1"], template: template), english,
                       "names in any case; unselected headers do not count")
        XCTAssertEqual(key("/a", headers: ["Accept-Language": "en,  fr", "X-Tenant": "t1"], template: template),
                       key("/a", headers: ["Accept-Language": "en", "accept-language": "fr", "x-tenant": " t1 "], template: template),
                       "values combined and trimmed")
        XCTAssertNotEqual(key("/a", headers: ["Accept-Language": ""], template: template),
                          key("/a", template: template), "an empty value differs from an absent field")
        XCTAssertEqual(english.path, "/a", "the path busts match is the path alone")
    }
}
