import ArgumentParser
import Dispatch
import Logging
import NIOPosix
import ManagerCore
import Proxy

/// Runs the gateway alone, for benchmarks: `gateway-serve --config FILE --http 127.0.0.1:8080 --threads 1`.
/// SIGHUP reloads the config through the hot-swap path.
@main
struct GatewayServe: AsyncParsableCommand {
    @Option(help: "Gateway config: a YAML file or a folder of them.")
    var config: String

    @Option(help: "Listen address HOST:PORT.")
    var http: String = "127.0.0.1:8080"

    @Option(help: "Event-loop threads.")
    var threads: Int = 1

    @Option(help: "Log one request in this many (0 turns the access log off).")
    var accessLogEvery: Int = 0

    @Option(help: "The access log: a file, or - for standard output.")
    var accessLog: String = "-"

    @Option(help: "json or combined.")
    var accessLogFormat: String = "json"

    func run() async throws {
        guard let colon = http.lastIndex(of: ":"), let port = Int(http[http.index(after: colon)...]) else {
            throw ValidationError("--http must be HOST:PORT")
        }
        var logger = Logger(label: "gateway-serve")
        logger.logLevel = .info
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        guard let format = AccessLogFormat(rawValue: accessLogFormat) else {
            throw ValidationError("--access-log-format must be json or combined")
        }
        let destination: AccessLogDestination =
            accessLogEvery == 0 ? .off : accessLog == "-" ? .standardOutput : .file(accessLog)
        let options = GatewayOptions(
            host: String(http[..<colon]), port: port,
            accessLog: .init(destination: destination, format: format, sampleEvery: max(accessLogEvery, 1)))
        let gateway = try Gateway(
            options: options, config: try ManifestLoader.local.load(path: config).config, group: group, logger: logger)
        let bound = try await gateway.start()
        print("listening on \(bound)")
        signal(SIGHUP, SIG_IGN)
        let reload = DispatchSource.makeSignalSource(signal: SIGHUP)
        let path = config
        reload.setEventHandler {
            do {
                try gateway.apply(ManifestValidation.validated(try ManifestLoader.local.load(path: path).config))
            } catch {
                logger.error("reload failed: \(error)")
            }
        }
        reload.resume()
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
