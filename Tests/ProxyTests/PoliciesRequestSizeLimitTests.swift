import NIOHTTP1
import XCTest

@testable import Proxy

final class PoliciesRequestSizeLimitTests: XCTestCase {
    func testContentLengthOverTheLimitIs413() throws {
        let policy = try makePolicy("type: request_size_limit\nmax_bytes: 1KiB")
        XCTAssertEqual((policy as? RequestSizeLimit)?.maxBytes, 1024)
        var atLimit = makeRequest(.POST, headers: [("Content-Length", "1024")])
        XCTAssertTrue(evaluate(policy, &atLimit).isProceed)
        var over = makeRequest(.POST, headers: [("Content-Length", "1025")])
        let response = try XCTUnwrap(evaluate(policy, &over).response)
        XCTAssertEqual(response.status, .payloadTooLarge)
        XCTAssertTrue(response.bodyText.contains("payload_too_large"))
        var noBody = makeRequest(.GET)
        XCTAssertTrue(evaluate(policy, &noBody).isProceed)
    }

    func testConflictingOrInvalidContentLengthIs400() throws {
        let policy = try makePolicy("type: request_size_limit\nmax_bytes: 100")
        for lengths in [["10", "20"], ["-1"], ["ten"]] {
            var context = makeRequest(.POST, headers: lengths.map { ("Content-Length", $0) })
            XCTAssertEqual(evaluate(policy, &context).status, .badRequest, "\(lengths)")
        }
    }

    func testSizesWithUnits() throws {
        for (text, bytes) in [("10MB", 10_000_000), ("2MiB", 2_097_152), ("512", 512), ("64KB", 64_000)] {
            let policy = try makePolicy("type: request_size_limit\nmax_bytes: \(text)")
            XCTAssertEqual((policy as? RequestSizeLimit)?.maxBytes, bytes, text)
        }
    }
}
