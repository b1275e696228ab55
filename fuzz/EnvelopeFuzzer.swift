/// libFuzzer target for the encrypted envelope, compiled together with the envelope's
/// sources (`fuzz/run.sh`). Each input is opened as it came from the network, on both
/// channels, with two installed keys: it must be refused with an `OpenError` (forging a
/// tag is out of reach), never trap. The input's first byte also picks a sealed packet to
/// damage, so the fuzzer reaches the replay guard and the key loop past authentication.
private let keys = [try! ClusterKey(bytes: [UInt8](repeating: 7, count: 32)),
                    try! ClusterKey(bytes: [UInt8](repeating: 9, count: 32))]
private let now: Int64 = 1_800_000_000_000

@_cdecl("LLVMFuzzerTestOneInput")
public func envelopeFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var replayGuard = ReplayGuard()
    for channel in [Envelope.Channel.datagram, .stream] {
        if let opened = try? Envelope.open(input, channel: channel, keys: keys, replayGuard: &replayGuard, nowMillis: now) {
            preconditionFailure("a forged envelope opened: \(input) -> \(opened)")
        }
    }
    guard let first = input.first else { return 0 }
    // A genuine envelope of the rest of the input, its bytes changed where the input says.
    let key = keys[Int(first & 1)]
    let sentAt = now - Int64(first >> 1) * 1_000
    let sealed = Envelope.seal(Array(input.dropFirst()), channel: .datagram, key: key, nowMillis: sentAt)
    let opened = try? Envelope.open(sealed, channel: .datagram, keys: keys, replayGuard: &replayGuard, nowMillis: now)
    precondition((opened != nil) == (sentAt >= now - 60_000), "a genuine envelope was judged wrongly")
    if opened != nil {
        precondition(opened! == Array(input.dropFirst()), "an envelope opened to other bytes")
        precondition((try? Envelope.open(sealed, channel: .datagram, keys: keys, replayGuard: &replayGuard,
                                          nowMillis: now)) == nil, "a replayed envelope opened")
    }
    var damaged = sealed
    damaged[Int(first) % damaged.count] ^= 0x01
    precondition((try? Envelope.open(damaged, channel: .datagram, keys: keys, replayGuard: &replayGuard,
                                     nowMillis: now)) == nil, "a damaged envelope opened")
    return 0
}
