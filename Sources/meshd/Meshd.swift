import ArgumentParser
import Foundation
import MeshNode

@main
struct Meshd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshd",
        abstract: "One Meshgate mesh node: gossip membership, encrypted with the cluster key, and its admin API.",
        discussion: """
            Every option can also come from an environment variable MESHGATE_<OPTION> \
            (e.g. MESHGATE_SEEDS, MESHGATE_CLUSTER_KEY_FILE) or from a YAML config file \
            (--config-file) of `option-name: value` lines. A flag wins over the environment, \
            which wins over the config file, which wins over the default.

            SIGTERM or SIGINT: drain the gateway, leave the mesh gracefully and exit 0. \
            SIGHUP: reload --config. SIGUSR1: reopen the --access-log file.
            """,
        version: MeshDaemon.version)

    @Option(help: "Node name, unique in the mesh. (default: the host name)")
    var name: String?

    @Option(help: ArgumentHelp("Gossip address: UDP for the protocol, TCP on the same port for push-pull. (default: 0.0.0.0:7946)", valueName: "host:port"))
    var bind: String?

    @Option(help: ArgumentHelp("Address other nodes use to reach this one. (default: derived from --bind)", valueName: "host:port"))
    var advertise: String?

    @Option(help: ArgumentHelp("Comma-separated seeds: host:port, or dns:NAME:PORT for every A/AAAA record of NAME (re-resolved on every re-join). (default: none, a mesh of one)", valueName: "list"))
    var seeds: String?

    @Option(help: ArgumentHelp("Node tags, k=v,...; region, zone and env are understood by the gateway. (default: env=default)", valueName: "k=v,..."))
    var tags: String?

    @Option(help: ArgumentHelp("worker, or manager (also signs and injects config); sets the tag role. (default: worker)", valueName: "worker|manager"))
    var role: String?

    @Option(help: ArgumentHelp("File with the 32-byte cluster key, base64, that encrypts and authenticates all gossip. Required unless --insecure.", valueName: "path"))
    var clusterKeyFile: String?

    @Flag(help: "Run without gossip encryption (a throwaway test mesh only).")
    var insecure = false

    @Option(help: ArgumentHelp("Admin HTTP API: JSON, /metrics, /healthz, /readyz. (default: 127.0.0.1:7947)", valueName: "host:port"))
    var admin: String?

    @Option(help: ArgumentHelp("Bearer token for the admin API, created (mode 0600) on first start if absent. (default: DATA/admin.token)", valueName: "path"))
    var adminTokenFile: String?

    @Option(help: ArgumentHelp("The gateway listener (workers). (default: 0.0.0.0:8080)", valueName: "host:port"))
    var http: String?

    @Option(help: ArgumentHelp("State: admin token, keyring, last-known-good config. (default: ./meshgate-data/NAME)", valueName: "path"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Gateway config, a YAML file or a folder of them, loaded at start and on SIGHUP.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Manager: Ed25519 secret key used to sign config.", valueName: "path"))
    var signingKey: String?

    @Option(help: ArgumentHelp("Workers: Ed25519 public key of the manager; repeat it to trust several during a rotation.", valueName: "path"))
    var trustKey: [String] = []

    @Option(help: ArgumentHelp("Gossip timing profile: lan, wan or local. (default: lan)", valueName: "lan|wan|local"))
    var profile: String?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical. (default: info)", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("text or json. (default: text)", valueName: "text|json"))
    var logFormat: String?

    @Option(help: ArgumentHelp("Gateway: certificate chain (PEM) to terminate TLS with; needs --tls-key.", valueName: "path"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("Gateway: private key (PEM) of --tls-cert.", valueName: "path"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Gateway: most bytes of a request's header fields; beyond them 431. (default: 32KiB)", valueName: "size"))
    var maxHeaderBytes: String?

    @Option(help: ArgumentHelp("Gateway: most header fields in a request (beyond them 431) or an upstream's response (502). (default: 100)", valueName: "n"))
    var maxHeaderFields: String?

    @Flag(help: "Gateway: keep request fields with '_' in their names (dropped by default) on routes that do not say; those that would read as a framing or hop-by-hop field are dropped still.")
    var underscoresInHeaders = false

    @Option(help: ArgumentHelp("Gateway: most bytes of a request body; beyond them 413. (default: 64MiB)", valueName: "size"))
    var maxBodyBytes: String?

    @Option(help: ArgumentHelp("Gateway: a keep-alive connection without a request this long is closed. (default: 60s)", valueName: "duration"))
    var idleTimeout: String?

    @Option(help: ArgumentHelp("Gateway: a request head, or a gap in its body, longer than this gets 408. (default: 30s)", valueName: "duration"))
    var readTimeout: String?

    @Option(help: ArgumentHelp("Gateway: a client that takes no response bytes this long is disconnected. (default: 30s)", valueName: "duration"))
    var writeTimeout: String?

    @Option(help: ArgumentHelp("Gateway: on SIGTERM, the longest in-flight requests may take to finish. (default: 5s)", valueName: "duration"))
    var drainTimeout: String?

    @Option(help: ArgumentHelp("Gateway: access log one request in N; 0 turns it off. (default: 1, every request)", valueName: "n"))
    var accessLogSample: String?

    @Option(help: ArgumentHelp("Gateway: the access log, a file (reopened on SIGUSR1), or - for standard output. (default: -)", valueName: "path"))
    var accessLog: String?

    @Option(help: ArgumentHelp("Gateway: json, or combined (nginx's and Apache's). (default: json)", valueName: "json|combined"))
    var accessLogFormat: String?

    @Option(help: ArgumentHelp("Gateway: bytes of responses this node's share of the mesh's cache holds. (default: 256MiB)", valueName: "size"))
    var cacheSize: String?

    @Option(help: ArgumentHelp("YAML file of `option-name: value` settings (also MESHGATE_CONFIG_FILE).", valueName: "path"))
    var configFile: String?

    var flagLayer: OptionLayer {
        var values: [OptionKey: [String]] = [:]
        let given: [(OptionKey, String?)] = [
            (.name, name), (.bind, bind), (.advertise, advertise), (.seeds, seeds), (.tags, tags), (.role, role),
            (.clusterKeyFile, clusterKeyFile), (.admin, admin), (.adminTokenFile, adminTokenFile), (.http, http),
            (.dataDir, dataDir), (.config, config), (.signingKey, signingKey), (.profile, profile),
            (.logLevel, logLevel), (.logFormat, logFormat), (.tlsCert, tlsCert), (.tlsKey, tlsKey),
            (.maxHeaderBytes, maxHeaderBytes), (.maxBodyBytes, maxBodyBytes), (.idleTimeout, idleTimeout),
            (.readTimeout, readTimeout), (.writeTimeout, writeTimeout), (.drainTimeout, drainTimeout),
            (.accessLogSample, accessLogSample), (.accessLog, accessLog), (.accessLogFormat, accessLogFormat),
            (.maxHeaderFields, maxHeaderFields), (.cacheSize, cacheSize),
        ]
        for (key, value) in given { if let value { values[key] = [value] } }
        if !trustKey.isEmpty { values[.trustKey] = trustKey }
        if insecure { values[.insecure] = ["true"] }
        if underscoresInHeaders { values[.underscoresInHeaders] = ["true"] }
        return OptionLayer(source: "flags", values: values)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let options: NodeOptions
        do {
            let filePath = configFile ?? environment["MESHGATE_CONFIG_FILE"]
            let fileLayer = try filePath.map { try OptionLayer.load(configFile: $0) } ?? OptionLayer(source: "config file")
            options = try NodeOptions.resolve(flags: flagLayer, environment: environment, configFile: fileLayer)
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            try await MeshDaemon.run(options: options)
        } catch {
            FileHandle.standardError.write(Data("meshd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
