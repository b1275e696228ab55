import CacheRing
import Foundation
import Gossip

/// libFuzzer target for the cache's bust formats, compiled with their sources (`fuzz/run.sh
/// cache-bust`). Each input is read as every one of them is read from a peer: a bust (rumor
/// payload or stream body), a bust's acknowledgement, a bust sync request and reply, a node's
/// cache figures; each is refused or decodes to a value that encodes back to exactly the
/// input. A bust carried in a rumor decodes only under its own subject and version. The input
/// is also read as the JSON body of `POST /v1/cache/bust`: refused with a reason, or a request
/// whose bust can travel (a value of 1 to 1,024 bytes, paths already normalized) and decodes
/// from its own encoding to itself, with a timeout from 1 ms to 60 s.
@_cdecl("LLVMFuzzerTestOneInput")
public func cacheBustFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    if let bust = CacheBust(bytes: input) {
        precondition(bust.bytes == input, "a bust decoded to \(bust), which encodes otherwise: \(input)")
        precondition(CacheBust(rumor: bust.rumor) == bust, "a bust does not travel in its own rumor: \(bust)")
        var other = bust.rumor
        other.version &+= 1
        precondition(CacheBust(rumor: other) == nil, "a bust decoded from a rumor of another version")
    }
    if let ack = BustAck(bytes: input) {
        precondition(ack.bytes == input, "an ack decoded to \(ack), which encodes otherwise: \(input)")
    }
    if let request = BustSyncRequest(bytes: input) {
        precondition(request.bytes == input, "a sync request decoded to \(request), which encodes otherwise: \(input)")
    }
    if let reply = BustSyncReply(bytes: input) {
        precondition(reply.bytes == input, "a sync reply decoded to \(reply), which encodes otherwise: \(input)")
    }
    if let figures = CacheFigures(encoded: input) {
        precondition(figures.encoded == input, "figures decoded to \(figures), which encode otherwise: \(input)")
    }
    if let object = try? JSONSerialization.jsonObject(with: Data(input)) as? [String: Any],
       let request = try? BustRequest(json: object) {
        precondition(CacheBust.isSendable(request.invalidation), "an admin bust that cannot travel: \(request)")
        precondition(request.timeout >= .milliseconds(1) && request.timeout <= BustRequest.maxTimeout)
        switch request.invalidation {
        case .prefix(let path), .path(let path):
            precondition(BustRequest.normalizedPath(path) == path, "a bust path not in its normal form: \(path)")
        default: break
        }
        let bust = CacheBust(environment: "fuzz", id: BustID(origin: "fuzz#1", sequence: 1), invalidation: request.invalidation)
        precondition(CacheBust(bytes: bust.bytes) == bust, "an admin bust that does not decode from its encoding: \(request)")
    }
    return 0
}
