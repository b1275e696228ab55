import NIOCore
import XCTest

@testable import Proxy

final class HeadBufferSlotTests: XCTestCase {
    func testAKeptBufferIsReusedInPlaceOnceNothingElseHoldsIt() {
        var slot = HeadBufferSlot()
        XCTAssertNil(slot.take())
        var first = ByteBufferAllocator().buffer(capacity: 1024)
        first.writeString("HTTP/1.1 200 OK\r\n\r\n")
        let storage = first.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        slot.keep(first)
        first = ByteBuffer()
        var next = try! XCTUnwrap(slot.take())
        XCTAssertNil(slot.take(), "taking moves the buffer out")
        next.clear()
        next.writeString("x")
        XCTAssertEqual(next.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }, storage)
    }

    func testAHeadStillHeldElsewhereIsNotOverwrittenByTheNext() {
        var slot = HeadBufferSlot()
        var head = ByteBufferAllocator().buffer(capacity: 1024)
        head.writeString("GET /a HTTP/1.1\r\n\r\n")
        slot.keep(head)
        // `head` stands for the copy the channel has not written out yet.
        var next = try! XCTUnwrap(slot.take())
        next.clear()
        next.writeString("GET /b HTTP/1.1\r\n\r\n")
        XCTAssertEqual(head.getString(at: head.readerIndex, length: head.readableBytes), "GET /a HTTP/1.1\r\n\r\n")
        XCTAssertEqual(next.getString(at: next.readerIndex, length: next.readableBytes), "GET /b HTTP/1.1\r\n\r\n")
    }

    func testABufferThatHeldMoreThanTheLimitIsNotKept() {
        var slot = HeadBufferSlot()
        var large = ByteBufferAllocator().buffer(capacity: 1024)
        large.writeRepeatingByte(UInt8(ascii: "a"), count: HeadBufferSlot.keptBytesLimit + 1)
        slot.keep(large)
        XCTAssertNil(slot.take())
        var small = ByteBufferAllocator().buffer(capacity: 1024)
        small.writeRepeatingByte(UInt8(ascii: "a"), count: HeadBufferSlot.keptBytesLimit)
        slot.keep(small)
        XCTAssertNotNil(slot.take())
    }
}
