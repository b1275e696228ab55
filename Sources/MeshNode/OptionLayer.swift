import Foundation
import Yams

/// The names of meshd's options, as flags (`--cluster-key-file`), environment variables
/// (`MESHGATE_CLUSTER_KEY_FILE`) and config-file keys (`cluster-key-file:`).
public enum OptionKey: String, CaseIterable, Sendable {
    case name, bind, advertise, seeds, tags, role
    case clusterKeyFile = "cluster-key-file"
    case insecure, admin
    case adminTokenFile = "admin-token-file"
    case http
    case dataDir = "data-dir"
    case config
    case signingKey = "signing-key"
    case trustKey = "trust-key"
    case profile
    case logLevel = "log-level"
    case logFormat = "log-format"
    case tlsCert = "tls-cert"
    case tlsKey = "tls-key"
    case maxHeaderBytes = "max-header-bytes"
    case maxHeaderFields = "max-header-fields"
    case underscoresInHeaders = "underscores-in-headers"
    case maxBodyBytes = "max-body-bytes"
    case idleTimeout = "idle-timeout"
    case readTimeout = "read-timeout"
    case writeTimeout = "write-timeout"
    case drainTimeout = "drain-timeout"
    case accessLogSample = "access-log-sample"
    case accessLog = "access-log"
    case accessLogFormat = "access-log-format"
    case cacheSize = "cache-size"

    public var environmentName: String {
        "MESHGATE_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

/// The option values one source gave, each as text; a repeated option keeps every value.
public struct OptionLayer: Sendable, Equatable {
    public var source: String
    public var values: [OptionKey: [String]]

    public init(source: String, values: [OptionKey: [String]] = [:]) {
        self.source = source
        self.values = values
    }

    /// `MESHGATE_*` variables; other variables are ignored.
    public init(environment: [String: String]) throws {
        self.init(source: "environment")
        for key in OptionKey.allCases {
            if let v = environment[key.environmentName] { values[key] = [v] }
        }
    }

    /// A YAML mapping from option names to values: a scalar, a list (seeds, trust-key),
    /// or for `tags` a mapping.
    public init(configFileText text: String, path: String) throws {
        self.init(source: "config file \(path)")
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw OptionError("config file \(path) is not valid YAML: \(error)")
        }
        guard let loaded else { return }
        guard let map = loaded as? [String: Any] else {
            throw OptionError("config file \(path) must be a mapping of option names to values")
        }
        for (name, raw) in map {
            guard let key = OptionKey(rawValue: name) else {
                throw OptionError("config file \(path): unknown option '\(name)'")
            }
            switch raw {
            case let list as [Any]: values[key] = list.map { "\($0)" }
            case let dict as [String: Any]: values[key] = dict.keys.sorted().map { "\($0)=\(dict[$0]!)" }
            default: values[key] = ["\(raw)"]
            }
        }
    }

    public static func load(configFile path: String) throws -> OptionLayer {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw OptionError("cannot read config file \(path): \(error.localizedDescription)")
        }
        return try OptionLayer(configFileText: text, path: path)
    }
}
