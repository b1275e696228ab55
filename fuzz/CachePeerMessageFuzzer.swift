import CacheRing

/// libFuzzer target for the cache's peer messages (`fuzz/run.sh cache-peer`), compiled against
/// `CacheRing`. Each input is read as a request from a peer and as a reply from an owner:
/// either it is refused, or it decodes to a message that encodes back to exactly the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func cachePeerMessageFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    if let request = try? CachePeerRequest(input) {
        precondition(request.bytes == input, "a peer request decoded to \(request), which encodes otherwise: \(input)")
    }
    if let reply = try? CachePeerReply(input) {
        precondition(reply.bytes == input, "a peer reply decoded to \(reply), which encodes otherwise: \(input)")
    }
    return 0
}
