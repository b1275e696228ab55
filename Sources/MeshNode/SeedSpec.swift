import Foundation

/// One entry of `--seeds`: a fixed address, or a DNS name whose every A/AAAA record is a seed.
public enum SeedSpec: Hashable, Sendable, CustomStringConvertible {
    case address(HostPort)
    case dns(name: String, port: Int)

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public var description: String { "seed '\(text)' is neither HOST:PORT nor dns:NAME:PORT" }
    }

    public init(parsing text: String) throws(ParseError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("dns:") {
            let rest = t.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1...65535).contains(port), !rest[..<colon].isEmpty, !rest[..<colon].contains(":")
            else { throw ParseError(text: text) }
            self = .dns(name: String(rest[..<colon]), port: port)
        } else {
            do {
                let hp = try HostPort(parsing: t)
                guard hp.port > 0 else { throw ParseError(text: text) }
                self = .address(hp)
            } catch {
                throw ParseError(text: text)
            }
        }
    }

    /// Parses a comma-separated list; empty entries are skipped.
    public static func parseList(_ text: String) throws(ParseError) -> [SeedSpec] {
        var seeds: [SeedSpec] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            seeds.append(try SeedSpec(parsing: String(part)))
        }
        return seeds
    }

    public var description: String {
        switch self {
        case .address(let hp): return hp.description
        case .dns(let name, let port): return "dns:\(name):\(port)"
        }
    }
}
