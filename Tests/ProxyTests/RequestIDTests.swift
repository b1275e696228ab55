import XCTest

@testable import Proxy

final class RequestIDTests: XCTestCase {
    func testIDsShareTheProcessPrefixAndCountInHex() {
        let generator = RequestIDGenerator()
        var seen = Set<String>()
        for n in 1...300 {
            let id = generator.next()
            let parts = id.split(separator: "-")
            XCTAssertEqual(parts.count, 2, id)
            XCTAssertEqual(String(parts[1]), String(n, radix: 16), id)
            XCTAssertTrue(RequestIDGenerator.isAcceptable(id), id)
            XCTAssertTrue(seen.insert(id).inserted, id)
        }
        XCTAssertEqual(Set(seen.map { $0.split(separator: "-")[0] }).count, 1)
        XCTAssertNotEqual(RequestIDGenerator().next(), RequestIDGenerator().next(), "each process start has its own prefix")
    }
}
