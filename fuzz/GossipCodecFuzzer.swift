/// libFuzzer target for the gossip wire decoder, compiled together with the Gossip sources
/// (`fuzz/run.sh`): every input must get the answer the decoder promises, an error or
/// messages that encode back to the same bytes (`MessageDecoder.answersAsPromised`).
@_cdecl("LLVMFuzzerTestOneInput")
public func gossipCodecFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    precondition(MessageDecoder.answersAsPromised(bytes), "the decoder broke its contract for \(bytes)")
    return 0
}
