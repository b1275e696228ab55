import XCTest

@testable import CacheRing

/// HTTP dates, stored fields and tags, Vary variants, validators.
final class FieldRulesTests: XCTestCase {
    func testTheThreeHTTPDateForms() {
        let expected = WallTime(seconds: 784_111_777)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"), expected)
        XCTAssertEqual(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"), expected)
        XCTAssertEqual(HTTPDate.parse("Sun Nov  6 08:49:37 1994"), expected)
        XCTAssertEqual(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT"), WallTime(seconds: 0))
        XCTAssertEqual(HTTPDate.parse("Tue, 29 Feb 2028 23:59:59 GMT"), WallTime(seconds: 1_835_481_599))
        XCTAssertEqual(HTTPDate.parse("Sun Nov 16 08:49:37 1994"), WallTime(seconds: 784_111_777 + 10 * 86_400))
        XCTAssertEqual(HTTPDate.parse("sun, 06 nOV 1994 08:49:37 gMT"), expected, "names in any case")
        for invalid in ["0", "", "-1", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT",
                        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 6 Nov 94 08:49 GMT",
                        // One space between words, but before a one-digit asctime day.
                        "Sun, 06  Nov  1994 08:49:37 GMT", "Sun,  06 Nov 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
                        "Sun Nov   6 08:49:37 1994", "Sun Nov  16 08:49:37 1994", "Sunday, 6-Nov-94 08:49:37 GMT"] {
            XCTAssertNil(HTTPDate.parse(invalid), invalid)
        }
        let now = WallTime(seconds: 1_765_000_000)
        XCTAssertEqual(HTTPDate.parse(httpDate(now)), now)
    }

    func testHopByHopFieldsAndAgeAreNotStoredAndTagsAreTakenOut() {
        let stored = StoredHeaders(response: [
            "Content-Type": "text/html", "Connection": "keep-alive, X-Trace", "Keep-Alive": "timeout=5",
            "Transfer-Encoding": "chunked", "X-Trace": "abc", "Age": "7", "Upgrade": "h2c", "TE": "trailers",
            "Proxy-Authenticate": "Basic", "Trailer": "Expires", "Cache-Tag": "product-7, home", "cache-tag": "home  sale",
            "ETag": "\"v1\"",
        ], tagFields: ["cache-tag"])
        XCTAssertEqual(stored.fields.fields.map(\.name), ["Content-Type", "ETag"])
        XCTAssertEqual(stored.tags, ["product-7", "home", "sale"])
        XCTAssertEqual(StoredHeaders(response: ["Surrogate-Key": "a b"], tagFields: CacheRules.defaultTagFields).tags, ["a", "b"])
    }

    func testVaryStoresAVariantPerNormalizedRequestValue() {
        XCTAssertNil(VaryKey.names(["Vary": "Accept, *"]))
        XCTAssertEqual(VaryKey.names(["Vary": "Accept-Encoding, accept", "vary": "ACCEPT"]), ["accept", "accept-encoding"])
        XCTAssertEqual(VaryKey.names([:]), [])
        let names = ["accept-encoding"]
        let gzip = VaryKey.variant(of: "K", names: names, request: ["Accept-Encoding": "gzip, br"])
        XCTAssertEqual(gzip, VaryKey.variant(of: "K", names: names, request: ["accept-encoding": " gzip,br "]))
        XCTAssertEqual(gzip, VaryKey.variant(of: "K", names: names, request: ["Accept-Encoding": "gzip", "Accept-Encoding": "br"]))
        XCTAssertNotEqual(gzip, VaryKey.variant(of: "K", names: names, request: ["Accept-Encoding": "br, gzip"]))
        XCTAssertNotEqual(VaryKey.variant(of: "K", names: names, request: [:]),
                          VaryKey.variant(of: "K", names: names, request: ["Accept-Encoding": ""]))
        XCTAssertEqual(VaryKey.variant(of: "K", names: [], request: ["Accept-Encoding": "gzip"]), "K")
        let language = ["accept-language"]
        XCTAssertEqual(VaryKey.variant(of: "K", names: language, request: ["Accept-Language": "en, de"]),
                       VaryKey.variant(of: "K", names: language, request: ["Accept-Language": "eN, De"]), "language tags in any case")
        XCTAssertNotEqual(VaryKey.variant(of: "K", names: ["x-tenant"], request: ["X-Tenant": "a"]),
                          VaryKey.variant(of: "K", names: ["x-tenant"], request: ["X-Tenant": "A"]), "other fields keep their case")
    }

    func testValidatorsAndA304Refresh() {
        let stored: FieldList = ["ETag": "W/\"v1\"", "Last-Modified": "Sun, 06 Nov 1994 08:49:37 GMT",
                                 "Content-Length": "5", "Cache-Control": "max-age=10", "X-Old": "1"]
        XCTAssertEqual(Revalidation.conditionalFields(for: stored),
                       ["If-None-Match": "W/\"v1\"", "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"])
        XCTAssertEqual(Revalidation.conditionalFields(for: ["Content-Type": "text/plain"]), [:])

        let refreshed = Revalidation.refreshed(
            CacheResponse(status: 200, headers: stored),
            by: ["Cache-Control": "max-age=60", "Content-Length": "0", "Connection": "close", "Cache-Tag": "t"], tagFields: ["cache-tag"])
        XCTAssertEqual(refreshed.status, 200)
        XCTAssertEqual(refreshed.headers.first("cache-control"), "max-age=60")
        XCTAssertEqual(refreshed.headers.first("content-length"), "5", "the stored body's framing stays")
        XCTAssertEqual(refreshed.headers.first("x-old"), "1")
        XCTAssertFalse(refreshed.headers.contains("connection"))
        XCTAssertFalse(refreshed.headers.contains("cache-tag"))
    }

    func testAClientsConditionalRequestIsAnsweredFromAFreshEntry() {
        let stored: FieldList = ["ETag": "\"v1\"", "Last-Modified": "Sun, 06 Nov 1994 08:49:37 GMT"]
        XCTAssertTrue(Revalidation.notModified(request: ["If-None-Match": "\"v1\""], stored: stored))
        XCTAssertTrue(Revalidation.notModified(request: ["If-None-Match": "\"v0\", W/\"v1\""], stored: stored), "weak comparison")
        XCTAssertTrue(Revalidation.notModified(request: ["If-None-Match": "*"], stored: stored))
        XCTAssertFalse(Revalidation.notModified(request: ["If-None-Match": "\"v2\""], stored: stored))
        XCTAssertFalse(Revalidation.notModified(request: ["If-None-Match": "\"v2\"", "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"],
                                                stored: stored), "If-None-Match decides when present")
        XCTAssertTrue(Revalidation.notModified(request: ["If-Modified-Since": "Mon, 07 Nov 1994 08:49:37 GMT"], stored: stored))
        XCTAssertFalse(Revalidation.notModified(request: ["If-Modified-Since": "Sat, 05 Nov 1994 08:49:37 GMT"], stored: stored))
        let dated: FieldList = ["Date": "Sun, 06 Nov 1994 08:49:37 GMT"]
        XCTAssertTrue(Revalidation.notModified(request: ["If-Modified-Since": "Mon, 07 Nov 1994 08:49:37 GMT"], stored: dated),
                      "without Last-Modified, Date stands for it")
        XCTAssertFalse(Revalidation.notModified(request: ["If-Modified-Since": "Sat, 05 Nov 1994 08:49:37 GMT"], stored: dated))
        XCTAssertFalse(Revalidation.notModified(request: [:], stored: stored))
    }
}
