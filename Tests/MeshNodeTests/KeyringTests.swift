import Foundation
import XCTest
@testable import MeshNode

final class KeyringTests: XCTestCase {
    func testRotationInstallUseRemove() throws {
        let old = ClusterKey.generate()
        let new = ClusterKey.generate()
        var ring = Keyring(primary: old)
        ring.install(new)
        ring.install(new)
        XCTAssertEqual(ring.keys, [old, new])
        XCTAssertEqual(ring.primary, old)
        try ring.use(new.fingerprint)
        XCTAssertEqual(ring.primary, new)
        XCTAssertEqual(Set(ring.keys), [old, new])
        try ring.remove(old.base64)
        XCTAssertEqual(ring.keys, [new])
    }

    func testThePrimaryKeyCannotBeRemoved() {
        let key = ClusterKey.generate()
        var ring = Keyring(primary: key)
        XCTAssertThrowsError(try ring.remove(key.fingerprint)) { XCTAssertEqual($0 as? Keyring.Error, .removingPrimary) }
        XCTAssertEqual(ring.keys, [key])
    }

    func testAnUnknownKeyIsNamedInTheError() {
        var ring = Keyring(primary: ClusterKey.generate())
        XCTAssertThrowsError(try ring.use("0011223344556677")) {
            XCTAssertEqual($0 as? Keyring.Error, .unknownKey("0011223344556677"))
        }
    }

    func testDigestsAgreeExactlyWhenKeyringsDo() throws {
        let a = ClusterKey.generate()
        let b = ClusterKey.generate()
        var one = Keyring(primary: a)
        one.install(b)
        let two = Keyring(primary: a, others: [b])
        XCTAssertEqual(one.digest, two.digest)
        try one.use(b.fingerprint)
        XCTAssertNotEqual(one.digest, two.digest)
    }

    func testAKeyMustBe32BytesOfBase64() throws {
        XCTAssertThrowsError(try ClusterKey(base64: "not base64!")) { XCTAssertEqual($0 as? ClusterKey.Error, .notBase64) }
        XCTAssertThrowsError(try ClusterKey(base64: "AQID")) { XCTAssertEqual($0 as? ClusterKey.Error, .wrongLength(3)) }
        let key = ClusterKey.generate()
        XCTAssertEqual(try ClusterKey(base64: key.base64 + "\n"), key)
        XCTAssertEqual(key.fingerprint.count, 16)
    }

    func testTheKeyringFileKeepsARotatedKeyWithMode0600() throws {
        let dir = try TemporaryDirectory()
        let file = KeyringFile(path: dir.path + "/data/keyring.json")
        XCTAssertNil(try file.load())
        var ring = Keyring(primary: ClusterKey.generate())
        let next = ClusterKey.generate()
        ring.install(next)
        try ring.use(next.base64)
        try file.save(ring)
        XCTAssertEqual(try file.load(), ring)
        XCTAssertEqual(try file.load()?.primary, next)
        XCTAssertEqual(try dir.mode(of: "data/keyring.json"), 0o600)
    }

    func testTheAdminTokenIsCreatedOnceWithMode0600() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/node/admin.token"
        let token = try AdminToken.loadOrCreate(path: path)
        XCTAssertEqual(token.count, 64)
        XCTAssertTrue(token.allSatisfy { $0.isHexDigit })
        XCTAssertEqual(try dir.mode(of: "node/admin.token"), 0o600)
        XCTAssertEqual(try AdminToken.loadOrCreate(path: path), token)
    }
}
