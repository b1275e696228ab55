import ManagerCore
import Sodium

/// What a stream on the gossip port asks for. The first byte of a request's plaintext
/// names its kind; the rest is that kind's body. The reply is one frame whose shape the
/// kind decides. Unknown kinds are refused and the stream closed.
enum StreamRequest: Equatable {
    /// Gossip push-pull: the body is the core's state exchange, the reply the peer's.
    case pushPull([UInt8])
    /// The newest signed bundle of an environment, when at least `minimumVersion`; `have`
    /// names the content the asker runs, so the answer may be a delta from it.
    case fetchBundle(environment: String, minimumVersion: UInt64, have: ContentDigest?)
    /// Apply this bust now (`meshctl bust` sends it to every alive member besides the rumor);
    /// the reply is a `BustAck`.
    case bust(CacheBust)
    /// The asker's bust vector; the reply is a `BustSyncReply` with the busts it lacks.
    case bustSync(BustSyncRequest)
    /// This node's cache figures; the reply is a `CacheFigures`.
    case cacheStats
    /// Turns the stream into a peer session (`SessionOpening`); the reply is a `SessionAcceptance`,
    /// after which both sides send `SessionFrame`s until either closes.
    case openSession(SessionOpening)

    enum Kind: UInt8 {
        case pushPull = 1
        case fetchBundle = 2
        case bust = 3
        case bustSync = 4
        case cacheStats = 5
        case openSession = 6
    }

    var bytes: [UInt8] {
        switch self {
        case .pushPull(let body):
            return [Kind.pushPull.rawValue] + body
        case .fetchBundle(let environment, let minimumVersion, let have):
            var out: [UInt8] = [Kind.fetchBundle.rawValue]
            out += withUnsafeBytes(of: minimumVersion.bigEndian, Array.init)
            if let have {
                out += [1] + [UInt8](hex: have.hex)!
            } else {
                out += [0]
            }
            out += Array(environment.utf8)
            return out
        case .bust(let bust):
            return [Kind.bust.rawValue] + bust.bytes
        case .bustSync(let request):
            return [Kind.bustSync.rawValue] + request.bytes
        case .cacheStats:
            return [Kind.cacheStats.rawValue]
        case .openSession(let opening):
            return [Kind.openSession.rawValue] + opening.bytes
        }
    }

    /// Nil for an unknown kind or a body that does not fit it.
    init?(_ bytes: [UInt8]) {
        guard let first = bytes.first, let kind = Kind(rawValue: first) else { return nil }
        let body = bytes.dropFirst()
        switch kind {
        case .pushPull:
            self = .pushPull(Array(body))
        case .fetchBundle:
            guard body.count > 9 else { return nil }
            let version = body.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            var rest = body.dropFirst(8)
            var have: ContentDigest?
            switch rest.first {
            case 0:
                rest = rest.dropFirst()
            case 1:
                guard rest.count > 33 else { return nil }
                have = ContentDigest(hex: Array(rest.dropFirst().prefix(32)).hexString)
                rest = rest.dropFirst(33)
            default:
                return nil
            }
            guard let environment = String(validating: rest, as: UTF8.self), EnvironmentName.isValid(environment) else {
                return nil
            }
            self = .fetchBundle(environment: environment, minimumVersion: version, have: have)
        case .bust:
            guard let bust = CacheBust(bytes: Array(body)) else { return nil }
            self = .bust(bust)
        case .bustSync:
            guard let request = BustSyncRequest(bytes: Array(body)) else { return nil }
            self = .bustSync(request)
        case .cacheStats:
            guard body.isEmpty else { return nil }
            self = .cacheStats
        case .openSession:
            guard let opening = SessionOpening(body) else { return nil }
            self = .openSession(opening)
        }
    }
}

/// The reply to `fetchBundle`: a status byte, then the bundle's bytes, or a delta's.
enum BundleReply: Equatable {
    case bundle([UInt8])
    /// `ConfigBundle.delta(from:)` from the content the asker named.
    case delta([UInt8])
    /// This node holds no bundle of that environment at or above the version asked for.
    case notHeld

    var bytes: [UInt8] {
        switch self {
        case .bundle(let bytes): return [0] + bytes
        case .notHeld: return [1]
        case .delta(let bytes): return [2] + bytes
        }
    }

    init?(_ bytes: [UInt8]) {
        switch bytes.first {
        case 0: self = .bundle(Array(bytes.dropFirst()))
        case 1 where bytes.count == 1: self = .notHeld
        case 2: self = .delta(Array(bytes.dropFirst()))
        default: return nil
        }
    }
}
