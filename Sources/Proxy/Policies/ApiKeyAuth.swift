import Crypto
import Foundation
import ManagerCore
import Sodium
import Logging
import NIOCore
import NIOHTTP1

/// `type: api_key`: the client presents a key in a header (`X-API-Key` unless `header:`
/// says otherwise). The manifest holds only the SHA-256 of each key, so a leaked
/// manifest leaks no credential. The matching entry names the consumer.
public struct ApiKeyAuth: RequestPolicy {
    struct Entry: Sendable {
        let digest: [UInt8]
        let consumer: String
    }

    public let header: String
    let entries: [Entry]
    /// Remove the key from the request before it goes upstream (default true).
    let stripKey: Bool
    private let missing: PolicyRejection
    private let invalid: PolicyRejection

    public init(_ config: ApiKeyPolicyConfig, logger: Logger) {
        header = config.header
        stripKey = config.strip
        entries = config.keys.map { Entry(digest: [UInt8](hex: $0.sha256)!, consumer: $0.consumer) }
        let challenge = [("WWW-Authenticate", #"ApiKey header="\#(header)""#)]
        missing = PolicyRejection(
            policy: "api_key", reason: "unauthorized", status: .unauthorized,
            message: "missing API key in \(header)", headers: challenge, logger: logger
        )
        invalid = PolicyRejection(
            policy: "api_key", reason: "unauthorized", status: .unauthorized,
            message: "invalid API key", headers: challenge, logger: logger
        )
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        guard let presented = context.head.headers.first(name: header), !presented.isEmpty else {
            return missing.decision(context)
        }
        let digest = Self.sha256(presented)
        // Every entry is compared in full, so the time taken says nothing about which
        // entry, or how much of one, matched.
        var match = -1
        for index in entries.indices where Self.constantTimeEqual(digest, entries[index].digest) {
            match = index
        }
        guard match >= 0 else { return invalid.decision(context) }
        context.consumer = entries[match].consumer
        if stripKey {
            context.head.headers.remove(name: header)
        }
        return .proceed
    }

    static func sha256(_ text: String) -> SHA256Digest {
        var text = text
        return text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }

    static func constantTimeEqual(_ digest: SHA256Digest, _ expected: [UInt8]) -> Bool {
        digest.withUnsafeBytes { bytes in
            guard bytes.count == expected.count else { return false }
            var difference: UInt8 = 0
            for index in 0..<bytes.count {
                difference |= bytes[index] ^ expected[index]
            }
            return difference == 0
        }
    }
}
