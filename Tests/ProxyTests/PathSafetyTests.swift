import XCTest

@testable import Proxy

final class PathSafetyTests: XCTestCase {
    func testDotSegmentsAreFoundInAnyPlaceAndSpelling() {
        for path in ["/.", "/..", "/a/../b", "/a/./b", "/a/%2e%2e/b", "/a/%2E/b", "/a/.%2e", "/%2e.", "/a/..", "..", "/a/.%2E/"] {
            XCTAssertTrue(PathSafety.hasDotSegment(Substring(path)), path)
        }
        for path in ["/", "/a", "/a/b.c", "/.well-known/x", "/a/.../b", "/a/..b", "/a/b..", "/%2e%2e%2e", "/%2", "/a%2e/", "//", ""] {
            XCTAssertFalse(PathSafety.hasDotSegment(Substring(path)), path)
        }
    }
}
