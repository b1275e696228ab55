import Foundation
import Logging
import ManagerCore
import NIOCore
import Proxy

/// Everything `meshd` is started with, after flags, environment and config file were merged.
public struct NodeOptions: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable { case worker, manager }
    public enum Profile: String, Sendable, CaseIterable { case lan, wan, local }
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    public var name: String
    public var bind: HostPort
    public var advertise: HostPort?
    public var seeds: [SeedSpec]
    public var tags: [String: String]
    public var role: Role
    public var clusterKeyFile: String?
    public var insecure: Bool
    public var admin: HostPort
    public var adminTokenFile: String
    public var http: HostPort
    public var dataDir: String
    public var config: String?
    public var signingKey: String?
    public var trustKeys: [String]
    public var profile: Profile
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// The gateway runs when `--http` or `--config` was given (from any source).
    public var gatewayEnabled: Bool
    /// `--tls-cert` and `--tls-key`: the gateway terminates TLS.
    public var tls: GatewayOptions.TLSFiles?
    public var limits: GatewayOptions.Limits
    /// The longest a graceful shutdown waits for in-flight requests.
    public var drainTimeout: Duration
    public var accessLog: GatewayOptions.AccessLogSettings
    /// `--underscores-in-headers`: request fields with `_` in their names are kept on routes
    /// without an `underscores_in_headers` of their own.
    public var underscoredFields: UnderscoredFields
    /// `--cache-size`: bytes of responses this node's share of the cache holds.
    public var cacheSize: Int

    /// The environment this node serves: its `env` tag.
    public var environment: String { effectiveTags["env"] ?? "default" }

    /// Tags as the mesh sees them: `env=default` unless set, and `role`.
    public var effectiveTags: [String: String] {
        var t = tags
        if t["env"] == nil { t["env"] = "default" }
        t["role"] = role.rawValue
        return t
    }
}

/// An option's value could not be used; the message names the option and its source.
public struct OptionError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension NodeOptions {
    /// Merges the layers: a flag wins over `MESHGATE_*` in the environment, which wins over
    /// the config file, which wins over the default.
    public static func resolve(
        flags: OptionLayer, environment: [String: String], configFile: OptionLayer = OptionLayer(source: "config file"),
        hostName: @autoclosure () -> String = ProcessInfo.processInfo.hostName
    ) throws -> NodeOptions {
        let env = try OptionLayer(environment: environment)
        let layers = [flags, env, configFile]
        func value(_ key: OptionKey) -> (values: [String], source: String)? {
            for layer in layers { if let v = layer.values[key] { return (v, layer.source) } }
            return nil
        }
        func single(_ key: OptionKey) -> (String, String)? {
            value(key).flatMap { v in v.values.last.map { ($0, v.source) } }
        }
        func parse<T>(_ key: OptionKey, default d: T, _ f: (String) throws -> T) throws -> T {
            guard let (text, source) = single(key) else { return d }
            do { return try f(text) } catch {
                throw OptionError("--\(key.rawValue) from \(source): \(error)")
            }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: OptionKey, default d: T) throws -> T where T.RawValue == String {
            try parse(key, default: d) { text in
                guard let v = T(rawValue: text.lowercased()) else {
                    throw OptionError("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return v
            }
        }

        let name = single(.name)?.0 ?? hostName()
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw OptionError("--name '\(name)' must be non-empty, without spaces or '/'")
        }
        let dataDir = single(.dataDir)?.0 ?? "./meshgate-data/\(name)"
        let seeds = try (value(.seeds)?.values ?? []).flatMap { text in
            do { return try SeedSpec.parseList(text) } catch { throw OptionError("--seeds: \(error)") }
        }
        var tags: [String: String] = [:]
        for entry in (value(.tags)?.values ?? []).flatMap({ $0.split(separator: ",") }) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw OptionError("--tags: '\(entry)' is not k=v") }
            tags[parts[0]] = parts[1]
        }
        if let env = tags["env"], !EnvironmentName.isValid(env) {
            throw OptionError("--tags: env '\(env)' must be letters, digits, '-', '_' or '.'")
        }
        let level = try parse(.logLevel, default: Logger.Level.info) { text in
            guard let l = Logger.Level(rawValue: text.lowercased()) else {
                throw OptionError("'\(text)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return l
        }
        func boolean(_ key: OptionKey) throws -> Bool {
            try parse(key, default: false) { text in
                switch text.lowercased() {
                case "1", "true", "yes", "on", "": return true
                case "0", "false", "no", "off": return false
                default: throw OptionError("'\(text)' is not true or false")
                }
            }
        }
        let insecure = try boolean(.insecure)

        func duration(_ key: OptionKey, default d: TimeAmount) throws -> TimeAmount {
            try parse(key, default: d) { text in
                guard let amount = DurationText.parse(text), amount > .zero else {
                    throw OptionError("'\(text)' is not a duration like 250ms, 30s or 5m")
                }
                return .nanoseconds(amount.nanoseconds)
            }
        }
        func size(_ key: OptionKey, default d: Int) throws -> Int {
            try parse(key, default: d) { text in
                guard let bytes = ByteSizeText.parse(text), bytes > 0 else {
                    throw OptionError("'\(text)' is not a size like 65536, 64KiB or 10MB")
                }
                return bytes
            }
        }
        let defaults = GatewayOptions.Limits()
        let limits = GatewayOptions.Limits(
            maxHeaderBytes: try size(.maxHeaderBytes, default: defaults.maxHeaderBytes),
            maxHeaderFields: try parse(.maxHeaderFields, default: defaults.maxHeaderFields) { text in
                guard let n = Int(text), n > 0 else { throw OptionError("'\(text)' is not a whole number above 0") }
                return n
            },
            maxBodyBytes: try size(.maxBodyBytes, default: defaults.maxBodyBytes),
            idleTimeout: try duration(.idleTimeout, default: defaults.idleTimeout),
            readTimeout: try duration(.readTimeout, default: defaults.readTimeout),
            writeTimeout: try duration(.writeTimeout, default: defaults.writeTimeout))
        let tls: GatewayOptions.TLSFiles?
        switch (single(.tlsCert)?.0, single(.tlsKey)?.0) {
        case (let cert?, let key?): tls = GatewayOptions.TLSFiles(certificateChainPath: cert, privateKeyPath: key)
        case (nil, nil): tls = nil
        default: throw OptionError("--tls-cert and --tls-key go together: give both or neither")
        }
        let sample = try parse(.accessLogSample, default: 1) { text in
            guard let n = Int(text), n >= 0 else { throw OptionError("'\(text)' is not 0 (off) or a whole number") }
            return n
        }
        let accessLogPath = single(.accessLog)?.0 ?? "-"
        let accessLog = GatewayOptions.AccessLogSettings(
            destination: sample == 0 ? .off : accessLogPath == "-" ? .standardOutput : .file(accessLogPath),
            format: try choice(.accessLogFormat, default: AccessLogFormat.json), sampleEvery: sample)

        return NodeOptions(
            name: name,
            bind: try parse(.bind, default: HostPort(host: "0.0.0.0", port: 7946)) { try HostPort(parsing: $0) },
            advertise: try parse(.advertise, default: nil) { try HostPort(parsing: $0) },
            seeds: seeds,
            tags: tags,
            role: try choice(.role, default: .worker),
            clusterKeyFile: single(.clusterKeyFile)?.0,
            insecure: insecure,
            admin: try parse(.admin, default: HostPort(host: "127.0.0.1", port: 7947)) { try HostPort(parsing: $0) },
            adminTokenFile: single(.adminTokenFile)?.0 ?? (dataDir as NSString).appendingPathComponent("admin.token"),
            http: try parse(.http, default: HostPort(host: "0.0.0.0", port: 8080)) { try HostPort(parsing: $0) },
            dataDir: dataDir,
            config: single(.config)?.0,
            signingKey: single(.signingKey)?.0,
            trustKeys: (value(.trustKey)?.values ?? []).flatMap { $0.split(separator: ",").map(String.init) },
            profile: try choice(.profile, default: .lan),
            logLevel: level,
            logFormat: try choice(.logFormat, default: .text),
            gatewayEnabled: value(.http) != nil || value(.config) != nil,
            tls: tls,
            limits: limits,
            drainTimeout: .nanoseconds(try duration(.drainTimeout, default: .seconds(5)).nanoseconds),
            accessLog: accessLog,
            underscoredFields: try boolean(.underscoresInHeaders) ? .kept : .dropped,
            cacheSize: try size(.cacheSize, default: 256 << 20))
    }
}
