import CacheRing
import XCTest

final class URLReferenceTests: XCTestCase {
    func testAnAbsoluteURLSplitsIntoSchemeAuthorityHostAndTarget() {
        XCTAssertEqual(URLReference("https://example.com:8443/a/b?x=1&y=2#top"),
                       URLReference(scheme: "https", authority: "example.com:8443", host: "example.com", target: "/a/b?x=1&y=2"))
    }

    func testAnAuthorityAloneOrWithAQueryTargetsTheRoot() {
        XCTAssertEqual(URLReference("http://h")?.target, "/")
        XCTAssertEqual(URLReference("http://h:8080")?.host, "h")
        XCTAssertEqual(URLReference("http://h?q=1")?.target, "/?q=1")
        XCTAssertEqual(URLReference("http://h#frag")?.target, "/")
    }

    func testAPathHasNoSchemeNorHost() {
        XCTAssertEqual(URLReference("/a/%7euser?q=1#f"), URLReference(scheme: nil, authority: nil, host: "", target: "/a/%7euser?q=1"))
    }

    func testAnIPv6AuthorityLosesItsBracketsAndPort() {
        XCTAssertEqual(URLReference("http://[::1]:8080/x")?.host, "::1")
        XCTAssertEqual(URLReference("http://[2001:DB8::1]/x")?.host, "2001:db8::1")
        XCTAssertEqual(URLReference("http://[::1]:8080/x")?.authority, "[::1]:8080")
    }

    func testSchemeAndHostAreCaseInsensitiveThePathIsNot() {
        let url = URLReference("HTTPS://Example.COM/A?B=C")
        XCTAssertEqual(url?.scheme, "https")
        XCTAssertEqual(url?.host, "example.com")
        XCTAssertEqual(url?.target, "/A?B=C")
    }

    func testAnythingElseIsRefused() {
        for text in ["ftp://h/a", "https:///a", "http://user@h/a", "http://a b/", "//h/a", "a/relative", "mailto:x@h",
                     "http://[::1/x", "http://[::1]x/", ""] {
            XCTAssertNil(URLReference(text), text)
        }
    }
}
