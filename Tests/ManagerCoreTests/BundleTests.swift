import ManagerCore
import Sodium
import XCTest

final class BundleTests: XCTestCase {
    let manager = SigningKey(secretKey: Ed25519.keyPair().secretKey)!
    let stranger = SigningKey(secretKey: Ed25519.keyPair().secretKey)!

    let config = GatewayConfig(
        upstreams: [UpstreamConfig(id: "u", targets: [TargetConfig(host: "127.0.0.1", port: 18080)])],
        routes: [RouteConfig(id: "r", destination: .upstream("u"), cache: CacheRule(ttl: .seconds(30), override: false))])

    func sign(_ content: GatewayConfig? = nil, environment: String = "prod", version: UInt64 = 2,
              key: SigningKey? = nil) -> ConfigBundle {
        (key ?? manager).sign(content: content ?? config, environment: environment, version: version, parent: nil,
                              createdAtMillis: 1_700_000_000_000, author: "admin", summary: "test")
    }

    var verifier: BundleVerifier { BundleVerifier(trusted: [manager.publicKey], environment: "prod") }

    func testASignedBundleVerifiesAndCarriesItsConfig() throws {
        let bundle = sign()
        let verified = try verifier.verify(bundle.bytes, running: 1)
        XCTAssertEqual(verified.config, config)
        XCTAssertEqual(verified.header.version, 2)
        XCTAssertEqual(verified.header.contentDigest, config.digest)
        XCTAssertEqual(verified.header.keyID, manager.publicKey.keyID)
        XCTAssertEqual(try verifier.verify(bundle.bytes, running: nil).bundle, bundle)
    }

    /// The content digest is plain SHA-256, so `sha256sum` of the content gives it too.
    func testTheContentDigestIsSHA256() {
        XCTAssertEqual(ContentDigest(of: []).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(ContentDigest(of: Array("abc".utf8)).hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentDigest(of: Array(repeating: UInt8(ascii: "a"), count: 1_000_000)).hex,
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testEveryRefusalHasItsReason() {
        let bytes = sign().bytes
        func refusal(_ bytes: [UInt8], running: UInt64? = 1, verifier: BundleVerifier? = nil) -> BundleRejection? {
            do {
                _ = try (verifier ?? self.verifier).verify(bytes, running: running)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(refusal(sign(key: stranger).bytes), .unknownKey)
        XCTAssertEqual(refusal(sign(environment: "staging").bytes), .wrongEnvironment)
        XCTAssertEqual(refusal(bytes, running: 2), .staleVersion, "a replay of the running version")
        XCTAssertEqual(refusal(bytes, running: 7), .staleVersion, "a replay of an older version")
        XCTAssertEqual(refusal(Array(bytes.dropLast(1))), .malformed, "truncated")
        XCTAssertEqual(refusal(Array(bytes.prefix(30))), .malformed, "truncated in the header")
        XCTAssertEqual(refusal([]), .malformed)

        // A forged bundle naming the manager's key id but signed by another key.
        let forged = sign(key: stranger)
        let forgedHeader = String(decoding: forged.headerBytes, as: UTF8.self)
            .replacingOccurrences(of: stranger.publicKey.keyID, with: manager.publicKey.keyID)
        XCTAssertEqual(refusal(rebuilt(forged, header: Array(forgedHeader.utf8))), .badSignature)

        // Tampered header: the version bumped by hand.
        let bundle = sign()
        let bumped = String(decoding: bundle.headerBytes, as: UTF8.self)
            .replacingOccurrences(of: "\"version\":2", with: "\"version\":9")
        XCTAssertEqual(refusal(rebuilt(bundle, header: Array(bumped.utf8))), .badSignature)

        // Tampered content: a route pointed elsewhere, digest left as signed.
        var other = config
        other.upstreams[0].targets[0].port = 9999
        XCTAssertEqual(refusal(rebuilt(bundle, content: other.canonicalBytes)), .contentMismatch)

        // Every single flipped byte is refused (and never crashes the verifier).
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var flipped = bytes
            flipped[index] ^= 0x5a
            XCTAssertNotNil(refusal(flipped), "byte \(index) flipped was accepted")
        }
    }

    func testASignedConfigThatIsNotValidIsRefused() {
        var broken = config
        broken.routes.append(RouteConfig(id: "r2", destination: .upstream("nowhere")))
        XCTAssertThrowsError(try verifier.verify(sign(broken).bytes, running: nil)) { error in
            XCTAssertEqual(error as? BundleRejection, .invalidConfig)
        }
    }

    func testRotationTrustsOldAndNewKeysUntilTheOldIsRemoved() throws {
        let next = SigningKey(secretKey: Ed25519.keyPair().secretKey)!
        let both = BundleVerifier(trusted: [manager.publicKey, next.publicKey], environment: "prod")
        XCTAssertNoThrow(try both.verify(sign(version: 2).bytes, running: 1))
        XCTAssertNoThrow(try both.verify(sign(version: 3, key: next).bytes, running: 2))
        let onlyNew = BundleVerifier(trusted: [next.publicKey], environment: "prod")
        XCTAssertThrowsError(try onlyNew.verify(sign(version: 4).bytes, running: 3))
    }

    func testRandomBytesAreRefusedAsMalformedOrParseBackToTheSameBytes() {
        var generator = SystemRandomNumberGenerator()
        let valid = sign().bytes
        for round in 0..<2_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                let bundle = try ConfigBundle.parse(bytes)
                XCTAssertEqual(bundle.bytes, bytes, "a parsed bundle must be exactly the bytes it came from")
            } catch {
                XCTAssertEqual(error, .malformed)
            }
        }
    }

    private func rebuilt(_ bundle: ConfigBundle, header: [UInt8]? = nil, content: [UInt8]? = nil) -> [UInt8] {
        var out = Array("MGB1".utf8)
        for part in [header ?? bundle.headerBytes, content ?? bundle.content] {
            let n = part.count
            out += [UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + part
        }
        return out + bundle.signature
    }
}
