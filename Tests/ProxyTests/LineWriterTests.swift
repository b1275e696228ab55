import XCTest

@testable import Proxy

/// Access log lines byte by byte: every byte value escaped as its format wants wherever it
/// lies in the eight-byte words the writer scans, and a line that does not fit overflows.
final class LineWriterTests: XCTestCase {
    private func written(_ capacity: Int = 256, _ body: (inout LineWriter) -> Void) -> (String, overflowed: Bool) {
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { out.deallocate() }
        var writer = LineWriter(out)
        body(&writer)
        return (String(decoding: UnsafeRawBufferPointer(rebasing: out[..<writer.count]), as: UTF8.self), writer.overflowed)
    }

    private func expected(_ byte: UInt8, _ escaping: LineWriter.Escaping) -> String {
        let plain = byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        if plain { return String(UnicodeScalar(byte)) }
        switch escaping {
        case .json where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\"): return "\\" + String(UnicodeScalar(byte))
        case .json: return "\\u00" + String(format: "%02X", byte)
        case .combined: return "\\x" + String(format: "%02X", byte)
        }
    }

    func testEveryByteIsEscapedWhereverItLies() {
        let filler = Array("abcdefghijklmnopqrstu".utf8)
        for escaping in [LineWriter.Escaping.json, .combined] {
            for byte in UInt8.min...UInt8.max {
                for position in 0..<filler.count {
                    var input = filler
                    input[position] = byte
                    let want = String(decoding: filler[..<position], as: UTF8.self) + expected(byte, escaping)
                        + String(decoding: filler[(position + 1)...], as: UTF8.self)
                    let (got, overflowed) = written { w in input.withUnsafeBytes { w.escaped($0, escaping) } }
                    XCTAssertFalse(overflowed)
                    XCTAssertEqual(got, want, "byte \(byte) at \(position), \(escaping)")
                }
            }
        }
    }

    func testNumbers() {
        XCTAssertEqual(written { $0.decimal(0) }.0, "0")
        XCTAssertEqual(written { $0.decimal(Int.max) }.0, String(Int.max))
        XCTAssertEqual(written { $0.decimal(-42) }.0, "-42")
        XCTAssertEqual(written { $0.milliseconds(1_234_567) }.0, "1.234")
        XCTAssertEqual(written { $0.milliseconds(999) }.0, "0.000")
        XCTAssertEqual(written { $0.padded(7, width: 3) }.0, "007")
    }

    func testWhatDoesNotFitOverflows() {
        let (text, overflowed) = written(4) { w in
            w.raw("abc")
            w.raw("de")
        }
        XCTAssertTrue(overflowed)
        XCTAssertEqual(text, "abc")
        XCTAssertTrue(written(4) { w in Array("abcde".utf8).withUnsafeBytes { w.escaped($0, .json) } }.overflowed)
        XCTAssertFalse(written(4) { w in Array("abcd".utf8).withUnsafeBytes { w.escaped($0, .json) } }.overflowed)
    }
}
