import NIOCore
import XCTest

@testable import Proxy

final class HeadBufferSlotTests: XCTestCase {
    func testAKeptBufferIsReusedInPlaceOnceNothingElseHoldsIt() {
        var slot = HeadBufferSlot()
        XCTAssertNil(slot.take())
        XCTAssertGreaterThanOrEqual(HeadBufferSlot.ready(nil, allocator: ByteBufferAllocator(), capacity: 1024).capacity, 1024,
                                    "with none kept, a new buffer with the room asked for")
        var first = ByteBufferAllocator().buffer(capacity: 1024)
        first.writeString("HTTP/1.1 200 OK\r\n\r\n")
        let storage = first.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        slot.keep(first)
        first = ByteBuffer()
        var next = HeadBufferSlot.ready(slot.take(), allocator: ByteBufferAllocator(), capacity: 1024)
        XCTAssertNil(slot.take(), "taking moves the buffer out")
        XCTAssertEqual(next.readableBytes, 0, "the kept buffer comes back empty")
        next.writeString("x")
        XCTAssertEqual(next.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }, storage)
    }

    func testAHeadStillHeldElsewhereIsNotOverwrittenByTheNext() {
        var slot = HeadBufferSlot()
        var head = ByteBufferAllocator().buffer(capacity: 1024)
        head.writeString("GET /a HTTP/1.1\r\n\r\n")
        slot.keep(head)
        // `head` stands for the copy the channel has not written out yet.
        var next = HeadBufferSlot.ready(slot.take(), allocator: ByteBufferAllocator(), capacity: 1024)
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
