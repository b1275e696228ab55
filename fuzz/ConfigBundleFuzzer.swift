import ManagerCore
import Sodium

/// libFuzzer target for signed config bundles (MGB1) and deltas (MGD1), compiled against
/// `ManagerCore` (`fuzz/run.sh config-bundle`). An input's first byte picks one of the ways a
/// worker reads bytes from a peer or from `meshctl import`, and the rest is read that way:
/// - as a bundle: refused as malformed, or split into parts that put together again are
///   exactly the input, with the header its header bytes decode to; it never verifies (a
///   signature is out of reach), and is refused for its key or signature before anything else;
/// - as a delta from a known config: refused, or rebuilt into a bundle whose content is the
///   canonical form of the config returned with it, which never verifies either;
/// - as the content of a bundle the manager signed (what the verifier decodes): refused as an
///   invalid config, or verified to a config whose canonical form decodes to it again; with
///   one byte of the content changed, refused as not what the header names;
/// - as edits to the known config: the genuine bundle of the edited config and its delta
///   from the known one rebuild to exactly that bundle, and a delta with a byte changed
///   rebuilds to nothing that verifies but that bundle.
private let key = SigningKey(secretKey: Ed25519.keyPair().secretKey)!
private let verifier = BundleVerifier(trusted: [key.publicKey], environment: "fuzz")
private let base = GatewayConfig(
    upstreams: [UpstreamConfig(id: "a", targets: [TargetConfig(host: "127.0.0.1", port: 8080)]),
                UpstreamConfig(id: "b", targets: [TargetConfig(host: "127.0.0.2", port: 8081)])],
    routes: (0..<4).map { route("r\($0)", path: "/r\($0)", upstream: $0 % 2 == 0 ? "a" : "b") })
private let baseContent = base.canonicalBytes
private let baseDigest = ContentDigest(of: baseContent)

private func route(_ id: String, path: String, upstream: String) -> RouteConfig {
    RouteConfig(id: id, match: RouteMatch(hosts: [], path: .prefix(path), methods: [], headers: []),
                destination: .upstream(upstream))
}

private func sign(_ content: [UInt8]) -> ConfigBundle {
    key.sign(contentBytes: content, environment: "fuzz", version: 2, parent: baseDigest, createdAtMillis: 1,
             author: "fuzz", summary: "")
}

/// The known config with one edit per input byte (at most 8): a route removed, added,
/// re-pointed, sent to the other upstream, or two routes swapped (which no delta expresses).
private func edited(by input: [UInt8]) -> GatewayConfig {
    var config = base
    for (i, byte) in input.prefix(8).enumerated() {
        let arg = Int(byte >> 3), count = config.routes.count
        switch byte & 7 {
        case 0 where count > 0: config.routes.remove(at: arg % count)
        case 1: config.routes.insert(route("n\(i)", path: "/n\(arg)", upstream: "a"), at: arg % (count + 1))
        case 2 where count > 0: config.routes[arg % count].match.path = .exact("/e\(arg)")
        case 3 where count > 0: config.routes[arg % count].destination = .upstream(arg % 2 == 0 ? "a" : "b")
        case 4 where count > 1: config.routes.swapAt(arg % count, (arg + 1) % count)
        case 5: config.upstreams.append(UpstreamConfig(id: "u\(i)", targets: [TargetConfig(host: "h\(arg)", port: 80)]))
        default: break
        }
    }
    return config
}

@_cdecl("LLVMFuzzerTestOneInput")
public func configBundleFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 4 {
    case 0: readAsBundle(input)
    case 1: readAsDelta(input)
    case 2: readAsSignedContent(input)
    default: readAsEdits(input)
    }
    return 0
}

private func readAsBundle(_ input: [UInt8]) {
    do throws(BundleRejection) {
        let bundle = try ConfigBundle.parse(input)
        precondition(bundle.bytes == input, "a bundle parsed to parts that put together differ: \(input)")
        precondition((try? CanonicalEncoding.decode(BundleHeader.self, from: bundle.headerBytes)) == bundle.header)
        do throws(BundleRejection) {
            let verified = try verifier.verify(input, running: nil)
            preconditionFailure("a forged bundle verified: \(input) -> \(verified.header)")
        } catch {
            precondition(error == .unknownKey || error == .badSignature, "a forged bundle got as far as \(error)")
        }
    } catch {
        precondition(error == .malformed, "a parse refused with \(error)")
    }
}

private func readAsDelta(_ input: [UInt8]) {
    do throws(BundleRejection) {
        let rebuilt = try ConfigBundle.rebuild(delta: input, base: base, baseContent: baseContent, baseDigest: baseDigest)
        precondition(rebuilt.bundle.content == rebuilt.config.canonicalBytes)
        precondition((try? verifier.verify(rebuilt.bundle, running: nil)) == nil, "a forged delta verified: \(input)")
    } catch {
        precondition(error == .malformed || error == .contentMismatch, "a delta refused with \(error)")
    }
}

private func readAsSignedContent(_ input: [UInt8]) {
    let signed = sign(input)
    precondition((try? ConfigBundle.parse(signed.bytes)) == signed, "a genuine bundle did not parse back")
    do throws(BundleRejection) {
        let verified = try verifier.verify(signed.bytes, running: 1)
        let again = try? CanonicalEncoding.decode(GatewayConfig.self, from: verified.config.canonicalBytes)
        precondition(again == verified.config, "a config's canonical form decodes to another config: \(input)")
        precondition((try? verifier.verify(sign(verified.config.canonicalBytes), running: 1))?.config == verified.config)
    } catch {
        precondition(error == .invalidConfig, "a genuine bundle refused with \(error)")
    }
    guard let first = input.first else { return }
    var damaged = signed.bytes
    let contentStart = damaged.count - Ed25519.signatureBytes - input.count
    damaged[contentStart + Int(first) % input.count] ^= 0x20
    do throws(BundleRejection) {
        _ = try verifier.verify(damaged, running: 1)
        preconditionFailure("changed content verified: \(input)")
    } catch {
        precondition(error == .contentMismatch, "changed content was refused with \(error)")
    }
}

private func readAsEdits(_ input: [UInt8]) {
    let target = edited(by: input)
    let genuine = key.sign(content: target, environment: "fuzz", version: 2, parent: baseDigest, createdAtMillis: 1,
                           author: "fuzz", summary: "")
    do throws(BundleRejection) {
        let verified = try verifier.verify(genuine.bytes, running: 1)
        precondition(verified.config == target, "a genuine edit verified to another config")
    } catch {
        precondition(error == .invalidConfig, "a genuine edit refused with \(error)")
    }
    guard let delta = genuine.delta(from: base) else { return }
    let rebuilt = try? ConfigBundle.rebuild(delta: delta, base: base, baseContent: baseContent, baseDigest: baseDigest)
    precondition(rebuilt?.bundle == genuine && rebuilt?.config == target, "a genuine delta rebuilt otherwise: \(input)")
    var damaged = delta
    damaged[(input.reduce(0) { $0 &* 31 &+ Int($1) } & Int.max) % delta.count] ^= 0x01
    if let forged = try? ConfigBundle.rebuild(delta: damaged, base: base, baseContent: baseContent, baseDigest: baseDigest),
       let verified = try? verifier.verify(forged.bundle, running: 1, decoded: forged.config) {
        precondition(verified.bundle == genuine, "a changed delta verified to another bundle: \(input)")
    }
}
