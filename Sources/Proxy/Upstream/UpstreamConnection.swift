import NIOCore

/// One keep-alive connection to a target, owned by the pool of its event loop. While
/// an exchange uses it, `sink` is that exchange; idle connections have none.
final class UpstreamConnection {
    let channel: any Channel
    let handler: UpstreamHandler
    unowned(unsafe) let pool: ConnectionPool
    weak var sink: (any UpstreamResponseSink)?
    /// Served at least one exchange before the current one (a failure may just mean the peer closed it while idle).
    var reused = false
    var receivedBytes = false
    /// When it was last put back in the pool.
    var idleSince = NIODeadline.uptimeNanoseconds(0)
    private(set) var isClosed = false
    /// Bytes written and not flushed yet.
    private var unflushed = false
    /// The buffer of the last request head, for the next one.
    private var headSlot = HeadBufferSlot()

    init(channel: any Channel, handler: UpstreamHandler, pool: ConnectionPool) {
        self.channel = channel
        self.handler = handler
        self.pool = pool
    }

    /// An empty buffer for a request head: the last head's, when it was kept, else a new one
    /// with room for `capacity` bytes.
    func headBuffer(capacity: Int) -> ByteBuffer {
        guard var bytes = headSlot.take() else { return channel.allocator.buffer(capacity: capacity) }
        bytes.clear()
        return bytes
    }

    /// Sends a request head; its response is read next. With `flush` (nothing is to follow
    /// the head for now), it goes out at once: written and flushed in one pass through the
    /// pipeline.
    func writeHead(_ bytes: ByteBuffer, isHEAD: Bool, flush: Bool) {
        handler.reader.expectResponse(toHEAD: isHEAD)
        headSlot.keep(bytes)
        guard flush else {
            write(bytes)
            return
        }
        unflushed = false
        handler.context?.writeAndFlush(handler.wrapOutboundOut(bytes), promise: nil)
    }

    func write(_ bytes: ByteBuffer) {
        unflushed = true
        handler.context?.write(handler.wrapOutboundOut(bytes), promise: nil)
    }

    /// Body bytes as one chunk of a chunked body.
    func writeChunk(_ data: ByteBuffer) {
        HeadWriter.writeChunk(data, allocator: channel.allocator, write)
    }

    func writeLastChunk() {
        write(ByteBuffer(staticString: HeadWriter.lastChunk))
    }

    func flush() {
        guard unflushed else { return }
        unflushed = false
        handler.context?.flush()
    }

    var isWritable: Bool { channel.isWritable }

    func fail(_ error: any Error) {
        if let sink {
            self.sink = nil
            sink.upstreamFailed(error, from: self)
        }
    }

    func closed() {
        guard !isClosed else { return }
        isClosed = true
        fail(ChannelError.ioOnClosedChannel)
        pool.connectionClosed(self)
    }

    func close() {
        sink = nil
        channel.close(promise: nil)
    }
}
