/// libFuzzer target for peer-session frames, compiled together with their sources
/// (`fuzz/run.sh session-frame`). Each input is read three ways, as bytes from a peer would be:
/// as a frame's plaintext, which decodes to nothing or to a frame that encodes back to exactly
/// the input; as a sealed frame arriving on an open session, which never opens (forging a tag is
/// out of reach) and never traps; and as the body of a genuine frame, which opens to that body
/// once, in order, and no more once replayed or once any of its bytes is changed.
private let keys = LiveKeyring(Keyring(primary: try! ClusterKey(bytes: [UInt8](repeating: 7, count: 32)),
                                       others: [try! ClusterKey(bytes: [UInt8](repeating: 9, count: 32))]))

@_cdecl("LLVMFuzzerTestOneInput")
public func sessionFrameFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    if let frame = SessionFrame(input) {
        precondition(frame.bytes == input, "a frame decoded to something that encodes otherwise: \(input)")
    }
    var asker = SessionCipher(keys: keys, ownToken: 1, peerToken: 2)
    var answerer = SessionCipher(keys: keys, ownToken: 2, peerToken: 1)
    if let opened = try? answerer.open(input) {
        preconditionFailure("a forged session frame opened: \(input) -> \(opened)")
    }
    guard let first = input.first else { return 0 }
    let kind = SessionFrame.Kind(rawValue: 1 + first % 3)!
    let sealed = asker.seal(kind, id: UInt32(first), body: input)
    guard let opened = try? answerer.open(sealed) else { preconditionFailure("a genuine frame did not open") }
    precondition(opened == SessionFrame(token: 2, number: 0, kind: kind, id: UInt32(first), body: input))
    precondition((try? answerer.open(sealed)) == nil, "a replayed frame opened")
    var damaged = asker.seal(kind, id: 0, body: input)
    damaged[Int(first) % damaged.count] ^= 0x01
    precondition((try? answerer.open(damaged)) == nil, "a damaged frame opened")
    return 0
}
