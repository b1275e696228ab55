import Foundation
import Logging
import XCTest

@testable import MeshNode

final class JSONLogHandlerTests: XCTestCase {
    /// Log collectors read one JSON object a line: the time in UTC with milliseconds, the
    /// level, the logger's label, the message, then the metadata by key.
    func testALineIsOneJSONObjectWithAnISO8601TimeInMilliseconds() throws {
        var handler = JSONLogHandler(label: "meshd")
        handler[metadataKey: "node"] = "edge-1"
        let event = LogEvent(level: .warning, message: "member suspected", metadata: ["member": "edge-2", "node": "edge-9"],
                             source: nil, file: #fileID, function: #function, line: #line)
        let before = Date()
        let line = handler.line(event)
        XCTAssertTrue(line.hasSuffix("}\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        XCTAssertEqual(object["level"], "warning")
        XCTAssertEqual(object["logger"], "meshd")
        XCTAssertEqual(object["message"], "member suspected")
        XCTAssertEqual(object["member"], "edge-2")
        XCTAssertEqual(object["node"], "edge-9", "the event's metadata wins over the handler's")
        let time = try XCTUnwrap(object["time"])
        XCTAssertNotNil(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression), time)
        let parsed = try Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        XCTAssertEqual(parsed.timeIntervalSince(before), 0, accuracy: 2)
    }
}
