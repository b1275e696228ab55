import Foundation
import Testing
@testable import MeshNode

@Suite struct KeyringTests {
    @Test func rotationInstallUseRemove() throws {
        let old = ClusterKey.generate()
        let new = ClusterKey.generate()
        var ring = Keyring(primary: old)
        ring.install(new)
        ring.install(new)
        #expect(ring.keys == [old, new])
        #expect(ring.primary == old)
        try ring.use(new.fingerprint)
        #expect(ring.primary == new)
        #expect(Set(ring.keys) == [old, new])
        try ring.remove(old.base64)
        #expect(ring.keys == [new])
    }

    @Test func thePrimaryKeyCannotBeRemoved() {
        let key = ClusterKey.generate()
        var ring = Keyring(primary: key)
        #expect(throws: Keyring.Error.removingPrimary) { try ring.remove(key.fingerprint) }
    }

    @Test func anUnknownKeyIsNamedInTheError() {
        var ring = Keyring(primary: ClusterKey.generate())
        #expect(throws: Keyring.Error.unknownKey("0011223344556677")) { try ring.use("0011223344556677") }
    }

    @Test func digestsAgreeExactlyWhenKeyringsDo() throws {
        let a = ClusterKey.generate()
        let b = ClusterKey.generate()
        var one = Keyring(primary: a)
        one.install(b)
        let two = Keyring(primary: a, others: [b])
        #expect(one.digest == two.digest)
        try one.use(b.fingerprint)
        #expect(one.digest != two.digest)
    }

    @Test func aKeyMustBe32BytesOfBase64() throws {
        #expect(throws: ClusterKey.Error.notBase64) { try ClusterKey(base64: "not base64!") }
        #expect(throws: ClusterKey.Error.wrongLength(3)) { try ClusterKey(base64: "AQID") }
        let key = ClusterKey.generate()
        #expect(try ClusterKey(base64: key.base64 + "\n") == key)
        #expect(key.fingerprint.count == 16)
    }

    @Test func theKeyringFileKeepsARotatedKeyWithMode0600() throws {
        let dir = try TemporaryDirectory()
        let file = KeyringFile(path: dir.path + "/data/keyring.json")
        #expect(try file.load() == nil)
        var ring = Keyring(primary: ClusterKey.generate())
        let next = ClusterKey.generate()
        ring.install(next)
        try ring.use(next.base64)
        try file.save(ring)
        #expect(try file.load() == ring)
        #expect(try file.load()?.primary == next)
        #expect(try dir.mode(of: "data/keyring.json") == 0o600)
    }

    @Test func theAdminTokenIsCreatedOnceWithMode0600() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/node/admin.token"
        let token = try AdminToken.loadOrCreate(path: path)
        #expect(token.count == 64)
        #expect(token.allSatisfy { $0.isHexDigit })
        #expect(try dir.mode(of: "node/admin.token") == 0o600)
        #expect(try AdminToken.loadOrCreate(path: path) == token)
    }
}
