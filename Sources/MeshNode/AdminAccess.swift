import Foundation
import ManagerCore
import NIOHTTP1
import Sodium

/// What a token may do on the admin API. Each role includes the ones before it.
public enum AdminRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Status, members, metrics, config state, history, diff, audit.
    case read
    /// Also leave and bust the cache.
    case operate
    /// Also apply, rollback, promote, import, keys and tokens.
    case admin

    public static func < (a: AdminRole, b: AdminRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The role an endpoint needs.
    static func required(_ method: HTTPMethod, _ path: String) -> AdminRole {
        switch (method, path) {
        case (.POST, "/v1/leave"), (.POST, "/v1/cache/bust"):
            return .operate
        case (.POST, "/v1/config/diff"), (.GET, _):
            return .read
        default:
            return .admin
        }
    }
}

/// The token a request carried: its name and role.
public struct AdminIdentity: Sendable, Equatable {
    public var name: String
    public var role: AdminRole
}

/// The admin API's named tokens: the node's admin token (`--admin-token-file`, named
/// `admin`) and those created with `meshctl tokens create`, kept in `DATA/tokens.json` as
/// SHA-256 digests only. A token is shown once, when it is created.
final class AdminAccess: @unchecked Sendable {
    struct Stored: Codable, Equatable {
        var name: String
        var role: AdminRole
        /// SHA-256 of the token, hex.
        var sha256: String
    }

    enum Problem: Error, CustomStringConvertible {
        case badName(String)
        case exists(String)
        case unknown(String)
        case reserved

        var description: String {
            switch self {
            case .badName(let name): return "'\(name)' is not a token name (letters, digits, '-', '_', '.')"
            case .exists(let name): return "a token named '\(name)' exists; remove it first"
            case .unknown(let name): return "no token named '\(name)'"
            case .reserved: return "'admin' is the node's own token (--admin-token-file); it cannot be replaced or removed here"
            }
        }
    }

    private let adminDigest: [UInt8]
    private let path: String
    private let lock = NSLock()
    private var tokens: [Stored]

    init(adminToken: String, path: String) throws {
        adminDigest = Sodium.sha256(Array(adminToken.utf8))
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            tokens = try JSONDecoder().decode([Stored].self, from: data)
        } else {
            tokens = []
        }
    }

    /// Who the request's bearer token belongs to; nil when it is missing or unknown.
    func identify(_ headers: HTTPHeaders) -> AdminIdentity? {
        guard let header = headers.first(name: "Authorization"), header.hasPrefix("Bearer ") else { return nil }
        let digest = Sodium.sha256(Array(header.dropFirst(7).utf8))
        // Every stored digest is compared in full, so the time taken says nothing about which matched.
        var found: AdminIdentity?
        if Sodium.constantTimeEqual(digest, adminDigest) { found = AdminIdentity(name: "admin", role: .admin) }
        for token in snapshot() where Sodium.constantTimeEqual(digest, [UInt8](hex: token.sha256) ?? []) {
            found = AdminIdentity(name: token.name, role: token.role)
        }
        return found
    }

    func list() -> [Stored] { snapshot() }

    /// Creates a token and returns it; only its digest is kept.
    func create(name: String, role: AdminRole) throws -> String {
        guard PlainName.isValid(name) else { throw Problem.badName(name) }
        guard name != "admin" else { throw Problem.reserved }
        let token = Sodium.randomBytes(32).hexString
        try update { tokens in
            guard !tokens.contains(where: { $0.name == name }) else { throw Problem.exists(name) }
            tokens.append(Stored(name: name, role: role, sha256: Sodium.sha256(Array(token.utf8)).hexString))
        }
        return token
    }

    func remove(name: String) throws {
        guard name != "admin" else { throw Problem.reserved }
        try update { tokens in
            guard let index = tokens.firstIndex(where: { $0.name == name }) else { throw Problem.unknown(name) }
            tokens.remove(at: index)
        }
    }

    private func snapshot() -> [Stored] {
        lock.lock()
        defer { lock.unlock() }
        return tokens
    }

    private func update(_ change: (inout [Stored]) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        var next = tokens
        try change(&next)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try SecretFile.write(try encoder.encode(next), to: path)
        tokens = next
    }
}
