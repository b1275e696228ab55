/// libFuzzer target for what a stream on the gossip port carries once opened, compiled with
/// `StreamMessage.swift` and the bodies it names (`fuzz/run.sh stream-message`). Each input is
/// read as a stream request's plaintext and as a bundle reply: either it is refused, or it
/// decodes to a value that encodes back to exactly the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func streamMessageFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    if let request = StreamRequest(input) {
        precondition(request.bytes == input, "a stream request decoded to \(request), which encodes otherwise: \(input)")
        precondition(StreamRequest(request.bytes) == request)
    }
    if let reply = BundleReply(input) {
        precondition(reply.bytes == input, "a bundle reply decoded to \(reply), which encodes otherwise: \(input)")
    }
    return 0
}
