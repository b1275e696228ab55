import NIOCore

extension ByteBuffer {
    /// Adds bytes read from a connection to those not consumed yet; with none left, takes
    /// the new buffer as it is instead of copying it.
    mutating func appendReceived(_ bytes: ByteBuffer) {
        if readableBytes == 0 {
            self = bytes
        } else {
            var bytes = bytes
            writeBuffer(&bytes)
        }
    }
}
