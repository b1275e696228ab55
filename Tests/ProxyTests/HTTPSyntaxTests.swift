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

    /// Host values as bytes in place and as a collection without contiguous storage.
    func testHostValuesAreJudgedAlikeHoweverTheBytesAreHeld() {
        let valid = ["a", "example.com", "EXAMPLE.com", "127.0.0.1:8080", "[::1]", "[::1]:80", "[fe80::1.2]", "h:", "[::1]:", "a:12345", "a_b-c~d"]
        let invalid = ["", ":80", "[]", "[::1", "[g]", "a b", "a:123456", "a:8x", "[::1]x", "a@b", "a%20b"]
        for host in valid + invalid {
            let expected = valid.contains(host)
            XCTAssertEqual(Array(host.utf8).withUnsafeBytes { HTTPSyntax.isValidHost($0) }, expected, host)
            XCTAssertEqual(HTTPSyntax.isValidHost(host.utf8.lazy.map { $0 }), expected, host)
        }
    }

    /// The word-at-a-time comparison without letter case against the byte-by-byte rule: every
    /// byte in every position of names short and long, each also in upper case.
    func testNamesAreComparedWithoutLetterCaseWhereverTheOddByteIs() {
        let names: [StaticString] = ["te", "host", "chunked", "connection", "100-continue", "content-length",
                                     "transfer-encoding", "proxy-authorization"]
        func reference(_ bytes: [UInt8], _ lower: [UInt8]) -> Bool {
            bytes.count == lower.count && zip(bytes, lower).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0) == $1 }
        }
        for name in names {
            let lower = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            let upper = lower.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            for base in [lower, upper] {
                for position in base.indices {
                    for value in 0...255 {
                        var bytes = base
                        bytes[position] = UInt8(value)
                        let fast = bytes.withUnsafeBytes { HTTPSyntax.equalsIgnoringASCIICase($0, name) }
                        XCTAssertEqual(fast, reference(bytes, lower), "\(name) with \(value) at \(position)")
                    }
                }
            }
            XCTAssertFalse(lower.dropLast().withUnsafeBytes { HTTPSyntax.equalsIgnoringASCIICase($0, name) })
            XCTAssertTrue(HTTPSyntax.equalsIgnoringASCIICase(upper[...], name), "\(name) as a generic collection")
            XCTAssertTrue(HTTPSyntax.equalsIgnoringASCIICase(upper.lazy.map { $0 }, name), "\(name) without contiguous storage")
        }
    }

    /// The word-at-a-time check of field values against the byte-by-byte rule, on many lines.
    func testFieldLinesAreJudgedAsTheGrammarSaysWhereverTheBadByteIs() {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let alphabet: [UInt8] = Array("abcXYZ019-_ \t:;,\"/".utf8) + [0x00, 0x01, 0x0D, 0x0A, 0x1F, 0x7F, 0x80, 0xE9, 0xFF]
        for _ in 0..<20_000 {
            let nameLength = Int(next() % 4)
            let valueLength = Int(next() % 40)
            var line = Array("X-A".utf8.prefix(nameLength)) + [UInt8(ascii: ":")]
            for _ in 0..<valueLength {
                line.append(next() % 4 == 0 ? alphabet[Int(next()) % alphabet.count] : UInt8(ascii: "v"))
            }
            let value = line[(line.firstIndex(of: UInt8(ascii: ":"))! + 1)...]
            let expected = nameLength > 0 && value.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
            let bounds = line.withUnsafeBytes { FieldLine.bounds($0) }
            XCTAssertEqual(bounds != nil, expected, "\(line)")
            if let bounds {
                let trimmed = value.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
                XCTAssertEqual(Array(line[bounds.valueStart..<bounds.valueEnd]), Array(trimmed), "\(line)")
            }
        }
    }

    func testListElementsAreTrimmedAndEmptyOnesPassedOver() {
        for (value, expected) in [(",a, b ,,\tc\t,", ["a", "b", "c"]), ("", []), (" , ", []), ("keep-alive", ["keep-alive"]),
                                  ("x y,z", ["x y", "z"])] {
            var elements: [String] = []
            Array(value.utf8).withUnsafeBytes { bytes in
                HTTPSyntax.forEachListElement(bytes) { elements.append(String(decoding: $0, as: UTF8.self)) }
            }
            XCTAssertEqual(elements, expected, value.debugDescription)
        }
    }
}
