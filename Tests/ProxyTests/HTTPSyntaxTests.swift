import XCTest

@testable import Proxy

final class HTTPSyntaxTests: XCTestCase {
    func testByteClassesMatchTheRFCsForEveryByte() {
        let tokenSpecials = Set("!#$%&'*+-.^_`|~".utf8)
        let targetExcluded = Set("\"<>\\^`{|}#".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let alnum = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            XCTAssertEqual(HTTPSyntax.isTokenChar(byte), alnum || tokenSpecials.contains(byte), "token byte \(value)")
            XCTAssertEqual(HTTPSyntax.isTargetByte(byte), (0x21...0x7E).contains(byte) && !targetExcluded.contains(byte),
                           "target byte \(value)")
            XCTAssertEqual(HTTPSyntax.isFieldValueByte(byte), byte == 0x09 || (byte >= 0x20 && byte != 0x7F), "value byte \(value)")
        }
    }
}
